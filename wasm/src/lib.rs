//! Sunlight in the browser (facade lands with its issue).
