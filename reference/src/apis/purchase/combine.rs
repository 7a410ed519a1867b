//! Write combining per cart: the mutations of one cart that arrive together in this node run in
//! one transaction.
//!
//! Each cart being changed has a queue here and a task that empties it: it takes what is queued
//! (at most [`MAX_BATCH`]), runs it with `service::apply` in one write transaction — the row
//! locked once, each command applied in turn to the cart the ones before it left, the cart saved
//! and committed once — and only then answers each caller with the cart as its own command left
//! it. Commands that arrive meanwhile form the next batch. Before, every mutation of a shared cart
//! was a transaction of its own that held the row lock for all its statements and its commit,
//! so they ran one after the other and their p99 grew with the queue (on PostgreSQL, 64
//! connections adding to one cart got about 350 req/s with a p99 of 0.5 s in `bench/run`'s
//! `purchase addItem (one shared cart)`, see `bench/FINDINGS.md`); now the lock, the save and
//! the commit are once per batch.
//!
//! - Durability: nobody is answered `Ok` before the `COMMIT` that holds its change returned.
//! - Isolation of failures: a refused command (access, a failed check in its change) leaves the
//!   cart as it was and fails only its caller. A failure of the transaction itself (the lock, the
//!   save, the commit, a lost connection) fails every command of the batch, none of which was
//!   answered, and the `Tx` rolls back.
//! - Cancellation: the batch runs on a spawned task, so a caller that goes away (its future
//!   dropped at any await point) cannot cancel or half-apply the others' writes. A caller gone
//!   before its batch starts is left out (as a dropped transaction rolls back); one gone later
//!   is applied with its batch, unanswered.
//! - Several nodes: each node combines its own callers; between nodes the row lock serialises
//!   the batches as it serialised single mutations.
//!
//! Written here rather than on `store::group_commit`: that shares a commit between unrelated
//! transactions on SQLite's one writer, this shares one cart's row lock and save (on both
//! backends; on SQLite a batch is one member of a commit group).

use std::collections::HashMap;
use std::sync::Mutex;

use prometheus_client::metrics::counter::Counter;
use shopql_server_stubs::{ApiError, ApiResult};
use tokio::sync::{mpsc, oneshot};

use super::cache::CartView;
use super::service::{Command, apply};
use crate::state::AppState;

/// At most this many commands share one transaction: each waits for the ones after it.
const MAX_BATCH: usize = 64;

/// A queued command and where its answer goes.
struct Job {
    command: Command,
    answer: oneshot::Sender<ApiResult<CartView>>,
}

/// The queues of the carts being changed, by cart id.
#[derive(Debug, Default)]
pub struct CartWriters {
    /// A cart's entry lives while its task does; sends happen under this lock, and the task
    /// removes its entry under it once it finds its queue empty, so no command is left behind.
    queues: Mutex<HashMap<String, mpsc::UnboundedSender<Job>>>,
    /// Transactions run and commands they held (more commands than batches: combining at work).
    batches: Counter,
    commands: Counter,
}

impl CartWriters {
    /// How many batches ran and how many commands they held, since start.
    pub fn combined(&self) -> (u64, u64) {
        (self.batches.get(), self.commands.get())
    }

    /// Queues `command` for cart `id` and waits for its outcome.
    pub(crate) async fn submit(
        &self,
        state: &AppState,
        id: String,
        command: Command,
    ) -> ApiResult<CartView> {
        let (answer, answered) = oneshot::channel();
        self.enqueue(state, id, Job { command, answer });
        answered.await.unwrap_or_else(|_| {
            Err(ApiError::unavailable(
                "the cart's writer stopped before answering; read the cart before retrying",
            ))
        })
    }

    fn enqueue(&self, state: &AppState, id: String, job: Job) {
        let mut queues = self.queues.lock().unwrap_or_else(|e| e.into_inner());
        let job = match queues.get(&id) {
            Some(queue) => match queue.send(job) {
                Ok(()) => return,
                // Its task is gone (it panicked): a new one takes over.
                Err(mpsc::error::SendError(job)) => job,
            },
            None => job,
        };
        let (queue, jobs) = mpsc::unbounded_channel();
        // The receiver is alive: this cannot fail.
        let _ = queue.send(job);
        queues.insert(id.clone(), queue);
        tokio::spawn(run(state.clone(), id, jobs));
    }

    /// Takes up to [`MAX_BATCH`] queued jobs whose callers still wait; when there are none,
    /// removes the cart's entry (under the lock senders hold) and returns an empty batch.
    fn next_batch(&self, id: &str, jobs: &mut mpsc::UnboundedReceiver<Job>) -> Vec<Job> {
        let mut batch = Vec::new();
        loop {
            while batch.len() < MAX_BATCH {
                match jobs.try_recv() {
                    Ok(job) if job.answer.is_closed() => {}
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            if !batch.is_empty() {
                return batch;
            }
            let mut queues = self.queues.lock().unwrap_or_else(|e| e.into_inner());
            match jobs.try_recv() {
                Ok(job) => {
                    drop(queues);
                    if !job.answer.is_closed() {
                        batch.push(job);
                    }
                }
                Err(_) => {
                    // This task's receiver is alive, so the entry is its own.
                    queues.remove(id);
                    return batch;
                }
            }
        }
    }
}

/// The task of cart `id`: batch after batch while commands queue.
async fn run(state: AppState, id: String, mut jobs: mpsc::UnboundedReceiver<Job>) {
    loop {
        let batch = state.cart_writers.next_batch(&id, &mut jobs);
        if batch.is_empty() {
            return;
        }
        let (commands, answers): (Vec<Command>, Vec<_>) =
            batch.into_iter().map(|j| (j.command, j.answer)).unzip();
        let n = commands.len() as u64;
        match run_batch(&state, &id, commands).await {
            Ok(outcomes) => {
                state.cart_writers.batches.inc();
                state.cart_writers.commands.inc_by(n);
                for (answer, outcome) in answers.into_iter().zip(outcomes) {
                    let _ = answer.send(outcome);
                }
            }
            Err(e) => {
                for answer in answers {
                    let _ = answer.send(Err(e.clone()));
                }
            }
        }
    }
}

/// One transaction: lock, apply, save, commit (only if some command changed the cart; else the
/// `Tx` is dropped and rolls back).
async fn run_batch(
    state: &AppState,
    id: &str,
    commands: Vec<Command>,
) -> ApiResult<Vec<ApiResult<CartView>>> {
    let mut tx = state.store.begin().await?;
    let outcomes = apply(&mut tx, &state.catalogs, id, commands).await?;
    if outcomes.iter().any(Result::is_ok) {
        tx.commit().await?;
    }
    Ok(outcomes)
}
