//! The kernel's side of the Jupyter messaging protocol (5.3) over ZeroMQ.
//!
//! One task per socket: heartbeat, control, shell and IOPub. Cells run on a task of their own,
//! so the control channel stays responsive and an `interrupt_request` can abort the running
//! query. Every request gets `busy` and `idle` on IOPub around it. Messages are signed and
//! checked with HMAC-SHA256 by `jupyter-zmq-client`; one that fails the check is dropped and
//! logged to standard error, never handled.

use std::collections::HashMap;
use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;

use jupyter_protocol::{
    CodeMirrorMode, CommClose, CommInfoReply, CompleteReply, ConnectionInfo, DisplayData,
    ErrorOutput, ExecuteInput, ExecuteReply, ExecuteRequest, ExecuteResult, ExecutionCount,
    HelpLink, HistoryReply, InspectReply, InterruptReply, IoPubWelcome, IsCompleteReply,
    IsCompleteReplyStatus, JupyterMessage, JupyterMessageContent, KernelInfoReply, LanguageInfo,
    Media, MediaType, ReplyError, ReplyStatus, ShutdownReply, Status, StreamContent, Transient,
};
use jupyter_zmq_client::{
    KernelIoPubXPubConnection, RuntimeError, SubscriptionEvent, create_kernel_control_connection,
    create_kernel_heartbeat_connection, create_kernel_iopub_xpub_connection,
    create_kernel_shell_connection, create_kernel_stdin_connection,
};
use tokio::sync::{Mutex, mpsc, watch};
use tokio::task::AbortHandle;

use super::cell::{self, Completeness};
use super::engine::{CellError, Engine, Output};
use crate::error::{Error, Result};

/// Shared between the socket tasks.
struct Kernel {
    engine: Arc<Mutex<Engine>>,
    /// The cell running now, to abort on interrupt.
    running: StdMutex<Option<AbortHandle>>,
    iopub: mpsc::UnboundedSender<JupyterMessage>,
    stop: watch::Sender<bool>,
}

fn transport(what: &str, e: RuntimeError) -> Error {
    Error::Usage(format!("the kernel could not {what}: {e}"))
}

/// Logs a message that could not be read, and says whether the socket itself failed.
fn log_unreadable(channel: &str, e: &RuntimeError) -> bool {
    match e {
        RuntimeError::VerifyError(_) => {
            eprintln!("sunlight kernel: ignored a {channel} message with a bad signature");
            false
        }
        RuntimeError::DecodeError(_) | RuntimeError::MissingHmac => {
            eprintln!(
                "sunlight kernel: ignored a {channel} message with a missing or malformed signature"
            );
            false
        }
        RuntimeError::ZmqError(_) => {
            eprintln!("sunlight kernel: {channel} socket error: {e}");
            true
        }
        other => {
            eprintln!("sunlight kernel: ignored a malformed {channel} message: {other}");
            false
        }
    }
}

impl Kernel {
    fn publish(&self, message: JupyterMessage) {
        // IOPub is a broadcast: it carries no routing identities.
        let _ = self.iopub.send(message.with_zmq_identities(Vec::new()));
    }

    fn interrupt(&self) {
        if let Ok(mut running) = self.running.lock()
            && let Some(handle) = running.take()
        {
            handle.abort();
        }
    }
}

/// Runs the kernel described by `info` until a shutdown request.
pub async fn serve(info: ConnectionInfo, engine: Arc<Mutex<Engine>>) -> Result<()> {
    if !info.key.is_empty() && info.signature_scheme != "hmac-sha256" {
        return Err(Error::Usage(format!(
            "signature scheme '{}' is not supported; use hmac-sha256",
            info.signature_scheme
        )));
    }
    let session = uuid::Uuid::new_v4().to_string();
    let mut heartbeat = create_kernel_heartbeat_connection(&info)
        .await
        .map_err(|e| transport("bind the heartbeat socket", e))?;
    let (mut shell_tx, mut shell_rx) = create_kernel_shell_connection(&info, &session)
        .await
        .map_err(|e| transport("bind the shell socket", e))?
        .split();
    let mut control = create_kernel_control_connection(&info, &session)
        .await
        .map_err(|e| transport("bind the control socket", e))?;
    // Bound so frontends can connect; the kernel never asks for input.
    let _stdin = create_kernel_stdin_connection(&info, &session)
        .await
        .map_err(|e| transport("bind the stdin socket", e))?;
    let iopub_socket = create_kernel_iopub_xpub_connection(&info, &session)
        .await
        .map_err(|e| transport("bind the IOPub socket", e))?;

    let (iopub_tx, iopub_rx) = mpsc::unbounded_channel();
    let (stop_tx, stop_rx) = watch::channel(false);
    let kernel = Arc::new(Kernel {
        engine,
        running: StdMutex::new(None),
        iopub: iopub_tx,
        stop: stop_tx,
    });

    let iopub_task = tokio::spawn(iopub_loop(iopub_socket, iopub_rx, stop_rx.clone()));
    tokio::spawn(async move {
        loop {
            if let Err(e) = heartbeat.single_heartbeat().await {
                eprintln!("sunlight kernel: heartbeat: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    });

    let k = kernel.clone();
    tokio::spawn(async move {
        loop {
            match control.read().await {
                Ok(message) => {
                    k.publish(Status::busy().as_child_of(&message));
                    if let Some(reply) = control_reply(&k, &message)
                        && let Err(e) = control.send(reply).await
                    {
                        eprintln!("sunlight kernel: control reply: {e}");
                    }
                    k.publish(Status::idle().as_child_of(&message));
                    if matches!(message.content, JupyterMessageContent::ShutdownRequest(_)) {
                        let _ = k.stop.send(true);
                        return;
                    }
                }
                Err(e) => {
                    if log_unreadable("control", &e) {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
            }
        }
    });

    let k = kernel.clone();
    let mut shell_stop = stop_rx.clone();
    tokio::spawn(async move {
        let mut count = 0usize;
        loop {
            let read = tokio::select! {
                r = shell_rx.read() => r,
                _ = shell_stop.changed() => return,
            };
            match read {
                Ok(message) => {
                    k.publish(Status::busy().as_child_of(&message));
                    let shutdown =
                        matches!(message.content, JupyterMessageContent::ShutdownRequest(_));
                    if let Some(reply) = shell_reply(&k, &message, &mut count).await
                        && let Err(e) = shell_tx.send(reply).await
                    {
                        eprintln!("sunlight kernel: shell reply: {e}");
                    }
                    k.publish(Status::idle().as_child_of(&message));
                    if shutdown {
                        let _ = k.stop.send(true);
                        return;
                    }
                }
                Err(e) => {
                    if log_unreadable("shell", &e) {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
            }
        }
    });

    let mut stop = stop_rx;
    while !*stop.borrow_and_update() {
        if stop.changed().await.is_err() {
            break;
        }
    }
    kernel.interrupt();
    // Let IOPub send the last `idle` before the process ends.
    let _ = tokio::time::timeout(Duration::from_secs(2), iopub_task).await;
    Ok(())
}

/// Owns the IOPub socket: sends what the other tasks publish, welcomes subscribers (JEP 65).
async fn iopub_loop(
    mut iopub: KernelIoPubXPubConnection,
    mut rx: mpsc::UnboundedReceiver<JupyterMessage>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            biased;
            m = rx.recv() => match m {
                Some(m) => {
                    if let Err(e) = iopub.send(m).await {
                        eprintln!("sunlight kernel: IOPub: {e}");
                    }
                }
                None => return,
            },
            s = iopub.recv_subscription() => match s {
                Ok(SubscriptionEvent::Subscribe(topic)) => {
                    if let Err(e) = iopub.send(IoPubWelcome::new(topic).into()).await {
                        eprintln!("sunlight kernel: IOPub welcome: {e}");
                    }
                }
                Ok(SubscriptionEvent::Unsubscribe(_)) => {}
                Err(e) => {
                    eprintln!("sunlight kernel: IOPub subscription: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            _ = stop.changed() => {
                while let Ok(m) = rx.try_recv() {
                    let _ = iopub.send(m).await;
                }
                return;
            }
        }
    }
}

/// The kernel's description.
pub fn kernel_info() -> KernelInfoReply {
    KernelInfoReply {
        status: ReplyStatus::Ok,
        protocol_version: "5.3".to_owned(),
        implementation: "sunlight".to_owned(),
        implementation_version: env!("CARGO_PKG_VERSION").to_owned(),
        language_info: LanguageInfo {
            name: "sql".to_owned(),
            version: datafusion::DATAFUSION_VERSION.to_owned(),
            mimetype: Some("application/sql".to_owned()),
            file_extension: Some(".sql".to_owned()),
            pygments_lexer: Some("sql".to_owned()),
            codemirror_mode: Some(CodeMirrorMode::Simple("sql".to_owned())),
            nbconvert_exporter: None,
        },
        banner: format!(
            "Sunlight SQL (阳光) {}: DataFusion {} on the integrity-risk store. %help lists the magics.",
            env!("CARGO_PKG_VERSION"),
            datafusion::DATAFUSION_VERSION
        ),
        help_links: vec![HelpLink {
            text: "DataFusion SQL".to_owned(),
            url: "https://datafusion.apache.org/user-guide/sql/index.html".to_owned(),
        }],
        debugger: false,
        error: None,
    }
}

fn control_reply(k: &Kernel, message: &JupyterMessage) -> Option<JupyterMessage> {
    match &message.content {
        JupyterMessageContent::KernelInfoRequest(_) => Some(kernel_info().as_child_of(message)),
        JupyterMessageContent::InterruptRequest(_) => {
            k.interrupt();
            Some(InterruptReply::new().as_child_of(message))
        }
        JupyterMessageContent::ShutdownRequest(req) => Some(shutdown_reply(req.restart, message)),
        other => {
            eprintln!(
                "sunlight kernel: no handler for {} on control",
                other.message_type()
            );
            None
        }
    }
}

fn shutdown_reply(restart: bool, message: &JupyterMessage) -> JupyterMessage {
    // A restart is the frontend's to do: it starts a new process after this one ends.
    ShutdownReply {
        restart,
        status: ReplyStatus::Ok,
        error: None,
    }
    .as_child_of(message)
}

fn error_reply(e: &CellError) -> Box<ReplyError> {
    Box::new(ReplyError {
        ename: e.ename.clone(),
        evalue: e.evalue.clone(),
        traceback: vec![format!("{}: {}", e.ename, e.evalue)],
    })
}

async fn shell_reply(
    k: &Kernel,
    message: &JupyterMessage,
    count: &mut usize,
) -> Option<JupyterMessage> {
    match &message.content {
        JupyterMessageContent::KernelInfoRequest(_) => Some(kernel_info().as_child_of(message)),
        JupyterMessageContent::ExecuteRequest(req) => Some(execute(k, req, message, count).await),
        JupyterMessageContent::IsCompleteRequest(req) => {
            let status = match cell::completeness(&req.code) {
                Completeness::Complete => IsCompleteReplyStatus::Complete,
                Completeness::Incomplete => IsCompleteReplyStatus::Incomplete,
                Completeness::Invalid => IsCompleteReplyStatus::Invalid,
            };
            Some(IsCompleteReply::new(status, String::new()).as_child_of(message))
        }
        JupyterMessageContent::CompleteRequest(req) => {
            let mut engine = k.engine.lock().await;
            let reply = match engine.complete(&req.code, req.cursor_pos).await {
                Ok(c) => CompleteReply {
                    matches: c.matches,
                    cursor_start: c.start,
                    cursor_end: c.end,
                    metadata: Default::default(),
                    status: ReplyStatus::Ok,
                    error: None,
                },
                Err(e) => CompleteReply {
                    matches: Vec::new(),
                    cursor_start: req.cursor_pos,
                    cursor_end: req.cursor_pos,
                    metadata: Default::default(),
                    status: ReplyStatus::Error,
                    error: Some(error_reply(&e)),
                },
            };
            Some(reply.as_child_of(message))
        }
        JupyterMessageContent::InspectRequest(req) => {
            let mut engine = k.engine.lock().await;
            let reply = match engine.inspect(&req.code, req.cursor_pos).await {
                Ok(found) => InspectReply {
                    found: found.is_some(),
                    data: found.map_or_else(Media::default, |i| {
                        Media::new(vec![MediaType::Plain(i.text), MediaType::Html(i.html)])
                    }),
                    metadata: Default::default(),
                    status: ReplyStatus::Ok,
                    error: None,
                },
                Err(e) => InspectReply {
                    found: false,
                    data: Media::default(),
                    metadata: Default::default(),
                    status: ReplyStatus::Error,
                    error: Some(error_reply(&e)),
                },
            };
            Some(reply.as_child_of(message))
        }
        JupyterMessageContent::HistoryRequest(_) => {
            // The kernel keeps no history: the notebook is the record.
            Some(HistoryReply::new(Vec::new()).as_child_of(message))
        }
        JupyterMessageContent::CommInfoRequest(_) => Some(
            CommInfoReply {
                status: ReplyStatus::Ok,
                comms: HashMap::new(),
                error: None,
            }
            .as_child_of(message),
        ),
        JupyterMessageContent::CommOpen(open) => {
            // No comm targets: close it at once, as the protocol asks.
            k.publish(
                CommClose {
                    comm_id: open.comm_id.clone(),
                    data: Default::default(),
                }
                .as_child_of(message),
            );
            None
        }
        JupyterMessageContent::ShutdownRequest(req) => Some(shutdown_reply(req.restart, message)),
        JupyterMessageContent::CommMsg(_) | JupyterMessageContent::CommClose(_) => None,
        other => {
            eprintln!(
                "sunlight kernel: no handler for {} on shell",
                other.message_type()
            );
            None
        }
    }
}

/// The message an output becomes.
fn output_message(o: Output, parent: &JupyterMessage, count: ExecutionCount) -> JupyterMessage {
    match o {
        Output::Text(text) => StreamContent::stdout(&text).as_child_of(parent),
        Output::Table {
            text,
            html,
            last: true,
        } => ExecuteResult {
            execution_count: count,
            data: Media::new(vec![MediaType::Plain(text), MediaType::Html(html)]),
            metadata: Default::default(),
            transient: Some(Transient::default()),
        }
        .as_child_of(parent),
        Output::Table {
            text,
            html,
            last: false,
        } => DisplayData::new(Media::new(vec![
            MediaType::Plain(text),
            MediaType::Html(html),
        ]))
        .as_child_of(parent),
        Output::Svg { svg, title } => DisplayData::new(Media::new(vec![
            MediaType::Plain(title),
            MediaType::Svg(svg),
        ]))
        .as_child_of(parent),
    }
}

async fn execute(
    k: &Kernel,
    req: &ExecuteRequest,
    message: &JupyterMessage,
    count: &mut usize,
) -> JupyterMessage {
    let silent = req.silent;
    if !silent && req.store_history {
        *count += 1;
    }
    let execution_count = ExecutionCount::new(*count);
    if !silent {
        k.publish(
            ExecuteInput {
                code: req.code.clone(),
                execution_count,
            }
            .as_child_of(message),
        );
    }
    let engine = k.engine.clone();
    let iopub = k.iopub.clone();
    let parent = message.clone();
    let code = req.code.clone();
    let task = tokio::spawn(async move {
        let mut engine = engine.lock().await;
        let mut sink = |o: Output| {
            if !silent {
                let m = output_message(o, &parent, execution_count);
                let _ = iopub.send(m.with_zmq_identities(Vec::new()));
            }
        };
        engine.execute(&code, &mut sink).await
    });
    if let Ok(mut running) = k.running.lock() {
        *running = Some(task.abort_handle());
    }
    let outcome = match task.await {
        Ok(r) => r,
        Err(e) if e.is_cancelled() => Err(CellError {
            ename: "Interrupted".to_owned(),
            evalue: "the cell was interrupted".to_owned(),
        }),
        Err(e) => Err(CellError {
            ename: "KernelError".to_owned(),
            evalue: format!("the cell failed inside the kernel: {e}"),
        }),
    };
    if let Ok(mut running) = k.running.lock() {
        *running = None;
    }
    match outcome {
        Ok(()) => ExecuteReply {
            status: ReplyStatus::Ok,
            execution_count,
            payload: Vec::new(),
            user_expressions: Some(HashMap::new()),
            error: None,
        }
        .as_child_of(message),
        Err(e) => {
            if !silent {
                k.publish(
                    ErrorOutput {
                        ename: e.ename.clone(),
                        evalue: e.evalue.clone(),
                        traceback: vec![format!("{}: {}", e.ename, e.evalue)],
                    }
                    .as_child_of(message),
                );
            }
            ExecuteReply {
                status: ReplyStatus::Error,
                execution_count,
                payload: Vec::new(),
                user_expressions: None,
                error: Some(error_reply(&e)),
            }
            .as_child_of(message)
        }
    }
}
