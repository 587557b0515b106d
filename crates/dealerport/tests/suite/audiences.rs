//! Whom a row is meant for is decided in two places: in SQL (`DealerAudience::restrict`), for
//! publications and price lists read per request, and in memory (`DealerAudience::includes`), for
//! the promotions each server keeps. The two must agree on every row for every dealer.
//!
//! A dealer user's request reads its dealer's audience with the user; it must be the audience the
//! dealer's own lookup reads.

use platform::{Actor, DealerAudience, DealerId, Query, RegionId};
use testkit::{Sequence, TestApp, TestDatabase};

const AUDIENCES: [&str; 6] = ["all", "base", "dealer", "tier", "group", "region"];
const IDS: std::ops::RangeInclusive<i64> = 1..=6;

/// Some of the ids, each with a chance of one in three.
fn some_of(sequence: &mut Sequence) -> Vec<i64> {
    IDS.filter(|_| sequence.below(3) == 0).collect()
}

/// One of the ids.
fn one_of(sequence: &mut Sequence) -> i64 {
    1 + sequence.below(6) as i64
}

fn random_audience(sequence: &mut Sequence) -> DealerAudience {
    let mut distance = 0;
    DealerAudience {
        dealer_id: DealerId(one_of(sequence)),
        tier: one_of(sequence),
        group_ids: some_of(sequence),
        regions: some_of(sequence)
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

/// The audience as the dealer's own lookup reads it, for the actor's dealer.
async fn looked_up(app: &TestApp, actor: &Actor) -> DealerAudience {
    let alone = Actor {
        audience: None,
        ..actor.clone()
    };
    identity::queries::dealer_audience(&app.db, &alone, None).await.unwrap()
}

#[tokio::test]
async fn a_dealer_users_sign_in_brings_the_audience_its_dealers_lookup_reads() {
    let app = TestApp::with_demo().await;
    for login in ["dealer@demo.test", "dealer2@demo.test"] {
        let token = app.token(login).await;
        let by_token = identity::queries::bearer(&app.db, &app.clock, &token)
            .await
            .unwrap()
            .expect("a live token");
        let carried = by_token.actor.audience.clone().expect("read with the user");
        assert_eq!(carried, looked_up(&app, &by_token.actor).await, "{login} by token");
        assert!(!carried.regions.is_empty(), "{login}: its regions up the tree");

        let session = app.browser_session(login).await;
        let cookie = session.cookie.trim_start_matches("dealerport_session=");
        let by_session = identity::queries::session(&app.db, &app.clock, cookie)
            .await
            .unwrap()
            .expect("a live session");
        assert_eq!(by_session.actor.audience, Some(carried), "{login} by session");
    }
    let vektor = app.token("dealer@demo.test").await;
    let vektor = identity::queries::bearer(&app.db, &app.clock, &vektor)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        vektor.actor.audience.unwrap().group_ids.len(),
        2,
        "Vektor is a key account and in HoReCa"
    );

    let manager = app.token("manager@demo.test").await;
    let manager = identity::queries::bearer(&app.db, &app.clock, &manager)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(manager.actor.audience, None, "the manufacturer's people have no dealer");
}
