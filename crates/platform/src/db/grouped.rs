//! Group commit: writers that arrive while another group is being written wait, then go
//! together in the next transaction. One commit, and so one flush to disk, serves many writers,
//! and their statements can be merged; every writer still gets its own answer, and only once
//! the group's transaction has ended.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::oneshot;

/// Most work a group takes at once; whatever waits beyond it goes in the next group.
const MOST: usize = 64;

/// A queue of work of one kind, `I`, each answered with an `O`.
pub struct Grouped<I, O> {
    queue: Mutex<Queue<I, O>>,
}

struct Queue<I, O> {
    waiting: Vec<(I, oneshot::Sender<O>)>,
    /// Whether a task is writing groups; it goes on while anything waits.
    writing: bool,
}

impl<I, O> Default for Grouped<I, O> {
    fn default() -> Self {
        Grouped {
            queue: Mutex::new(Queue {
                waiting: Vec::new(),
                writing: false,
            }),
        }
    }
}

impl<I: Send + 'static, O: Send + 'static> Grouped<I, O> {
    /// Queues `item` and waits for its answer. When no group is being written, this caller
    /// starts a task that runs `write` on everything waiting, and again on whatever waits once
    /// that group is answered, until nothing waits. `write` answers each item, in order.
    ///
    /// The task writes one group right after another, without waiting for a turn in the
    /// runtime's queue between them: with a caller taking the turn to write each group, the
    /// writes waited behind every task the last answers woke, and the writer stood idle while
    /// the callers priced their next orders. Since the task is apart from every caller, a
    /// caller who gives up waiting cannot cut a group's transaction short.
    ///
    /// `None` means the group's write ended without answering (it panicked): nothing of it was
    /// committed, since answers are sent only after the commit.
    pub async fn run<F, Fut>(self: &Arc<Self>, item: I, write: F) -> Option<O>
    where
        F: Fn(Vec<I>) -> Fut + Send + 'static,
        Fut: Future<Output = Vec<O>> + Send + 'static,
    {
        let (sender, answer) = oneshot::channel();
        let start = {
            let mut queue = self.lock_queue();
            queue.waiting.push((item, sender));
            !std::mem::replace(&mut queue.writing, true)
        };
        if start {
            tokio::spawn(self.clone().write_while_waiting(write));
        }
        answer.await.ok()
    }

    async fn write_while_waiting<F, Fut>(self: Arc<Self>, write: F)
    where
        F: Fn(Vec<I>) -> Fut,
        Fut: Future<Output = Vec<O>>,
    {
        // Should a write panic, whatever waits is answered with nothing rather than left to
        // wait for a writer that is gone.
        let unwinding = Unwinding(&self);
        loop {
            let group: Vec<(I, oneshot::Sender<O>)> = {
                let mut queue = self.lock_queue();
                if queue.waiting.is_empty() {
                    queue.writing = false;
                    break;
                }
                let take = queue.waiting.len().min(MOST);
                queue.waiting.drain(..take).collect()
            };
            let (items, senders): (Vec<I>, Vec<oneshot::Sender<O>>) = group.into_iter().unzip();
            for (sender, outcome) in senders.into_iter().zip(write(items).await) {
                // A caller that stopped waiting no longer wants its answer.
                let _ = sender.send(outcome);
            }
        }
        // Every item was answered and the next caller may start a writer: nothing to undo.
        std::mem::forget(unwinding);
    }
}

impl<I, O> Grouped<I, O> {
    fn lock_queue(&self) -> std::sync::MutexGuard<'_, Queue<I, O>> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Dropped only when writing stops half-way (a write panicked, or the runtime is shutting
/// down): fails everything waiting and lets the next caller start a new writer.
struct Unwinding<'a, I, O>(&'a Grouped<I, O>);

impl<I, O> Drop for Unwinding<'_, I, O> {
    fn drop(&mut self) {
        let mut queue = self.0.lock_queue();
        queue.waiting.clear();
        queue.writing = false;
    }
}

/// Values shared by every user of one [`super::Db`] in this process, one per type, made on
/// first use: the place for a capability's group-commit queue.
#[derive(Default)]
pub(super) struct Shared {
    values: Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
}

impl Shared {
    pub(super) fn get<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        let mut values = self.values.lock().unwrap_or_else(PoisonError::into_inner);
        let value = values
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Arc::new(T::default()))
            .clone();
        match value.downcast::<T>() {
            Ok(value) => value,
            // The map is keyed by type, so its value is always a `T`; a fresh one is right anyway.
            Err(_) => {
                let value = Arc::new(T::default());
                values.insert(TypeId::of::<T>(), value.clone());
                value
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn writers_arriving_together_share_groups_and_each_gets_its_own_answer() {
        let grouped: Arc<Grouped<u32, u32>> = Arc::new(Grouped::default());
        let groups = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = tokio::task::JoinSet::new();
        for n in 0..200u32 {
            let (grouped, groups) = (grouped.clone(), groups.clone());
            tasks.spawn(async move {
                let answer = grouped
                    .run(n, move |items| {
                        let groups = groups.clone();
                        async move {
                            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                            groups.lock().unwrap().push(items.len());
                            items.iter().map(|n| n * 10).collect()
                        }
                    })
                    .await;
                (n, answer)
            });
        }
        for (n, answer) in tasks.join_all().await {
            assert_eq!(answer, Some(n * 10));
        }
        let groups = groups.lock().unwrap();
        assert_eq!(groups.iter().sum::<usize>(), 200);
        assert!(groups.len() < 200, "some writers went together: {groups:?}");
        assert!(groups.iter().all(|size| *size <= MOST));
    }

    /// Each writer places one item after another, as a client places orders; a write takes as
    /// long as a flush to disk. Writers answered by another's group must not queue for the turn
    /// behind writers of single items, or the groups dwindle to one item each.
    #[tokio::test(start_paused = true)]
    async fn writers_that_keep_writing_keep_sharing_groups() {
        const WRITERS: u32 = 64;
        const ROUNDS: u32 = 20;
        let grouped: Arc<Grouped<u32, u32>> = Arc::new(Grouped::default());
        let groups = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = tokio::task::JoinSet::new();
        for writer in 0..WRITERS {
            let (grouped, groups) = (grouped.clone(), groups.clone());
            tasks.spawn(async move {
                for round in 0..ROUNDS {
                    let item = writer * ROUNDS + round;
                    let groups = groups.clone();
                    let answer = grouped
                        .run(item, move |items| {
                            let groups = groups.clone();
                            async move {
                                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                                groups.lock().unwrap().push(items.len());
                                items.iter().map(|n| n + 1).collect()
                            }
                        })
                        .await;
                    assert_eq!(answer, Some(item + 1));
                }
            });
        }
        tasks.join_all().await;
        let groups = groups.lock().unwrap();
        assert_eq!(groups.iter().sum::<usize>(), (WRITERS * ROUNDS) as usize);
        assert!(
            groups.len() <= 2 * ROUNDS as usize + 2,
            "{} groups for {} rounds: {groups:?}",
            groups.len(),
            ROUNDS
        );
    }

    #[tokio::test]
    async fn a_write_that_panics_answers_nothing_and_the_next_caller_is_written() {
        let grouped: Arc<Grouped<u32, u32>> = Arc::new(Grouped::default());
        let write = |items: Vec<u32>| async move {
            assert!(!items.contains(&13), "a bug in the write");
            items.iter().map(|n| n * 10).collect::<Vec<u32>>()
        };
        assert_eq!(grouped.run(13, write).await, None);
        let next = tokio::time::timeout(std::time::Duration::from_secs(5), grouped.run(4, write)).await;
        assert_eq!(next, Ok(Some(40)), "the next caller is written, not left waiting");
    }

    #[test]
    fn a_shared_value_is_made_once_per_type() {
        let shared = Shared::default();
        let first: Arc<Mutex<Vec<u8>>> = shared.get();
        first.lock().unwrap().push(1);
        let again: Arc<Mutex<Vec<u8>>> = shared.get();
        assert_eq!(*again.lock().unwrap(), vec![1]);
        let other: Arc<Mutex<Vec<u16>>> = shared.get();
        assert!(other.lock().unwrap().is_empty());
    }
}
