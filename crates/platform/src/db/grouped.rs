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
    waiting: Mutex<Vec<(I, oneshot::Sender<O>)>>,
    /// Held by the writer whose turn it is to take the waiting work.
    turn: tokio::sync::Mutex<()>,
}

impl<I, O> Default for Grouped<I, O> {
    fn default() -> Self {
        Grouped {
            waiting: Mutex::new(Vec::new()),
            turn: tokio::sync::Mutex::new(()),
        }
    }
}

impl<I: Send + 'static, O: Send + 'static> Grouped<I, O> {
    /// Queues `item` and waits for its answer. Whoever gets the turn takes everything waiting
    /// and runs `write` on it in a task of its own, so that a caller who gives up waiting
    /// cannot cut a group's transaction short. `write` answers each item, in order.
    ///
    /// `None` means the group's task ended without answering (it panicked): nothing of it was
    /// committed, since answers are sent only after the commit.
    pub async fn run<F, Fut>(&self, item: I, write: F) -> Option<O>
    where
        F: FnOnce(Vec<I>) -> Fut,
        Fut: Future<Output = Vec<O>> + Send + 'static,
    {
        let (sender, answer) = oneshot::channel();
        self.lock_waiting().push((item, sender));
        {
            let _turn = self.turn.lock().await;
            let group: Vec<(I, oneshot::Sender<O>)> = {
                let mut waiting = self.lock_waiting();
                let take = waiting.len().min(MOST);
                waiting.drain(..take).collect()
            };
            if !group.is_empty() {
                let (items, senders): (Vec<I>, Vec<oneshot::Sender<O>>) = group.into_iter().unzip();
                let written = tokio::spawn(write(items));
                if let Ok(outcomes) = written.await {
                    for (sender, outcome) in senders.into_iter().zip(outcomes) {
                        // A caller that stopped waiting no longer wants its answer.
                        let _ = sender.send(outcome);
                    }
                }
            }
        }
        answer.await.ok()
    }

    fn lock_waiting(&self) -> std::sync::MutexGuard<'_, Vec<(I, oneshot::Sender<O>)>> {
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
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
                    .run(n, move |items| async move {
                        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                        groups.lock().unwrap().push(items.len());
                        items.iter().map(|n| n * 10).collect()
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
