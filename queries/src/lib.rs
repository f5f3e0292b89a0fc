//! Sunlight analytics (placeholder while the core lands).
