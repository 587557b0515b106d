//! Whom a row is meant for is decided in two places: in SQL (`DealerAudience::restrict`), for
//! publications and price lists read per request, and in memory (`DealerAudience::includes`), for
//! the promotions each server keeps. The two must agree on every row for every dealer.

use platform::{DealerAudience, DealerId, Query, RegionId};
use testkit::TestDatabase;

const AUDIENCES: [&str; 6] = ["all", "base", "dealer", "tier", "group", "region"];
const IDS: std::ops::RangeInclusive<i64> = 1..=6;

/// A small deterministic generator, so that a failure can be run again.
struct Sequence(u64);

impl Sequence {
    fn below(&mut self, bound: u64) -> i64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % bound) as i64
    }

    fn some_of(&mut self) -> Vec<i64> {
        IDS.filter(|_| self.below(3) == 0).collect()
    }
}

fn random_audience(sequence: &mut Sequence) -> DealerAudience {
    let mut distance = 0;
    DealerAudience {
        dealer_id: DealerId(1 + sequence.below(6)),
        tier: 1 + sequence.below(6),
        group_ids: sequence.some_of(),
        regions: sequence
            .some_of()
            .into_iter()
            .map(|id| {
                distance += 1;
                (RegionId(id), distance - 1)
            })
            .collect(),
        currency: "RUB".to_owned(),
    }
}

#[tokio::test]
async fn the_rows_a_dealer_is_shown_in_sql_are_the_rows_it_is_shown_in_memory() {
    let database = TestDatabase::create().await;
    let db = database.connect().await;
    db.execute(&Query::new(
        "CREATE TABLE addressed (id BIGINT PRIMARY KEY, audience TEXT NOT NULL, audience_id BIGINT NOT NULL)",
    ))
    .await
    .expect("create the table");
    let mut rows = Vec::new();
    for audience in AUDIENCES {
        for audience_id in IDS {
            rows.push((rows.len() as i64, audience, audience_id));
        }
    }
    for (id, audience, audience_id) in &rows {
        db.execute(
            &Query::new("INSERT INTO addressed (id, audience, audience_id) VALUES ($1, $2, $3)")
                .bind(*id)
                .bind(*audience)
                .bind(*audience_id),
        )
        .await
        .expect("insert a row");
    }

    let mut sequence = Sequence(0x5eed_a0d1);
    for _ in 0..200 {
        let dealer = random_audience(&mut sequence);
        for everyone in ["all", "base"] {
            let mut query = Query::new("SELECT id FROM addressed WHERE 1 = 1");
            dealer.restrict(&mut query, "audience", "audience_id", everyone);
            query.push(" ORDER BY id");
            let in_sql: Vec<i64> = db
                .fetch_all(&query)
                .await
                .expect("read the rows")
                .iter()
                .map(|row| row.get("id").expect("id"))
                .collect();
            let in_memory: Vec<i64> = rows
                .iter()
                .filter(|(_, audience, audience_id)| dealer.includes(audience, *audience_id, everyone))
                .map(|(id, _, _)| *id)
                .collect();
            assert_eq!(in_sql, in_memory, "{dealer:?}, everyone spelled {everyone}");
            assert!(!in_sql.is_empty(), "every dealer is among everyone");
        }
    }
}
