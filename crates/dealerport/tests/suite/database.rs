//! The storage boundary behaves the same on SQLite and PostgreSQL: values come back as they were
//! written, constraint failures are told apart, an abandoned transaction leaves nothing behind,
//! and writers inside and outside transactions take turns without blocking each other for good.

use chrono::{DateTime, NaiveDate, Utc};
use platform::{Currency, Db, DbError, Query};
use testkit::TestDatabase;

async fn scratch_table(db: &Db) {
    db.execute(&Query::new(
        "CREATE TABLE scratch (
            id BIGINT PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,
            quantity BIGINT CHECK (quantity >= 0),
            active BOOLEAN,
            at TIMESTAMPTZ,
            day DATE,
            content BYTEA
        )",
    ))
    .await
    .expect("create the scratch table");
}

fn insert(id: i64, code: &str, quantity: i64) -> Query {
    Query::new("INSERT INTO scratch (id, code, quantity) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(code)
        .bind(quantity)
}

async fn codes(db: &Db) -> Vec<String> {
    db.fetch_all(&Query::new("SELECT code FROM scratch ORDER BY id"))
        .await
        .expect("read the codes")
        .iter()
        .map(|row| row.get("code").expect("code"))
        .collect()
}

#[tokio::test]
async fn every_kind_of_value_comes_back_as_it_was_written() {
    let database = TestDatabase::create().await;
    let db = database.connect().await;
    scratch_table(&db).await;
    let at: DateTime<Utc> = "2026-03-01T09:30:15.123456Z".parse().expect("time");
    let day = NaiveDate::from_ymd_opt(2026, 2, 28).expect("date");
    db.execute(
        &Query::new(
            "INSERT INTO scratch (id, code, quantity, active, at, day, content)
             VALUES ($1, $2, $3, $4, $5, $6, $7), (2, 'empty', NULL, NULL, NULL, NULL, NULL)",
        )
        .bind(1)
        .bind("Пиво 啤酒 '$1'")
        .bind(i64::MAX)
        .bind(true)
        .bind(at)
        .bind(day)
        .bind(vec![0u8, 255, 10]),
    )
    .await
    .expect("insert");

    let full = db
        .fetch_one(&Query::new("SELECT * FROM scratch WHERE id = $1").bind(1))
        .await
        .expect("the full row");
    assert_eq!(full.get::<String>("code").unwrap(), "Пиво 啤酒 '$1'");
    assert_eq!(full.get::<i64>("quantity").unwrap(), i64::MAX);
    assert!(full.get::<bool>("active").unwrap());
    assert_eq!(full.get::<DateTime<Utc>>("at").unwrap(), at);
    assert_eq!(full.get::<NaiveDate>("day").unwrap(), day);
    assert_eq!(full.get::<Vec<u8>>("content").unwrap(), vec![0u8, 255, 10]);

    let empty = db
        .fetch_one(&Query::new("SELECT * FROM scratch WHERE id = 2"))
        .await
        .expect("the empty row");
    assert_eq!(empty.get::<Option<i64>>("quantity").unwrap(), None);
    assert_eq!(empty.get::<Option<bool>>("active").unwrap(), None);
    assert_eq!(empty.get::<Option<DateTime<Utc>>>("at").unwrap(), None);
    assert_eq!(empty.get::<Option<NaiveDate>>("day").unwrap(), None);
    assert!(
        matches!(empty.get::<i64>("quantity"), Err(DbError::Column { .. })),
        "a null is not a number"
    );
    assert!(
        matches!(empty.get::<String>("no_such_column"), Err(DbError::Column { .. })),
        "an unknown column is named as such"
    );
}

#[tokio::test]
async fn a_currency_code_reads_as_its_currency_and_a_stranger_names_its_column() {
    let database = TestDatabase::create().await;
    let db = database.connect().await;
    scratch_table(&db).await;
    db.execute(&insert(1, "rub", 0)).await.expect("a known code");
    db.execute(&insert(2, "XYZ", 0)).await.expect("an unknown code");
    let rows = db
        .fetch_all(&Query::new("SELECT code FROM scratch ORDER BY id"))
        .await
        .expect("read");
    assert_eq!(
        rows[0].get::<Currency>("code").expect("RUB"),
        Currency::parse("RUB").unwrap()
    );
    match rows[1].get::<Currency>("code") {
        Err(DbError::Column { column, .. }) => assert_eq!(column, "code"),
        other => panic!("an unknown currency is not a currency: {other:?}"),
    }
}

#[tokio::test]
async fn many_rows_go_in_together_with_every_kind_of_value_and_null() {
    use platform::db::Value;
    let database = TestDatabase::create().await;
    let db = database.connect().await;
    scratch_table(&db).await;
    let at: DateTime<Utc> = "2026-03-01T09:30:15.123456Z".parse().expect("time");
    let day = NaiveDate::from_ymd_opt(2026, 2, 28).expect("date");
    // More rows than one statement of placeholders holds on SQLite, every other one all nulls.
    let rows: Vec<Vec<Value>> = (1..=700_i64)
        .map(|id| {
            let full = id % 2 == 1;
            vec![
                id.into(),
                format!("код-{id}").into(),
                full.then_some(id).into(),
                full.then_some(true).into(),
                full.then_some(at).into(),
                full.then_some(day).into(),
                full.then(|| vec![0u8, 255]).into(),
            ]
        })
        .collect();
    let insert = "INSERT INTO scratch (id, code, quantity, active, at, day, content)";
    let mut tx = db.begin().await.expect("begin");
    assert_eq!(tx.insert_many(insert, &rows).await.expect("insert"), 700);
    // The same codes again are skipped; a new one goes in, and its key comes back.
    let mut again = rows[..3].to_vec();
    again.push(vec![
        701_i64.into(),
        "新".into(),
        Value::Int(None),
        Value::Bool(None),
        Value::Time(None),
        Value::Date(None),
        Value::Bytes(None),
    ]);
    assert_eq!(
        tx.insert_many_skipping_existing(insert, &again, "(code)")
            .await
            .expect("skip"),
        1
    );
    let returned = tx
        .insert_many_returning(
            "INSERT INTO scratch (id, code)",
            &[vec![702_i64.into(), "a".into()], vec![703_i64.into(), "b".into()]],
            "RETURNING id, code",
        )
        .await
        .expect("returning");
    let mut keys: Vec<(i64, String)> = returned
        .iter()
        .map(|row| (row.get("id").unwrap(), row.get("code").unwrap()))
        .collect();
    keys.sort();
    assert_eq!(keys, vec![(702, "a".to_owned()), (703, "b".to_owned())]);
    // A row whose column holds another type than the first row's is refused, not cast.
    let mixed = vec![vec![800_i64.into(), "x".into()], vec!["801".into(), "y".into()]];
    assert!(matches!(
        tx.insert_many("INSERT INTO scratch (id, code)", &mixed).await,
        Err(DbError::Statement(_))
    ));
    drop(tx);

    let mut tx = db.begin().await.expect("begin");
    tx.insert_many(insert, &rows).await.expect("insert");
    tx.commit().await.expect("commit");
    let odd = db
        .fetch_one(&Query::new("SELECT * FROM scratch WHERE id = 699"))
        .await
        .expect("a full row");
    assert_eq!(odd.get::<String>("code").unwrap(), "код-699");
    assert_eq!(odd.get::<i64>("quantity").unwrap(), 699);
    assert!(odd.get::<bool>("active").unwrap());
    assert_eq!(odd.get::<DateTime<Utc>>("at").unwrap(), at);
    assert_eq!(odd.get::<NaiveDate>("day").unwrap(), day);
    assert_eq!(odd.get::<Vec<u8>>("content").unwrap(), vec![0u8, 255]);
    let even = db
        .fetch_one(&Query::new("SELECT * FROM scratch WHERE id = 700"))
        .await
        .expect("a row of nulls");
    assert_eq!(even.get::<Option<i64>>("quantity").unwrap(), None);
    assert_eq!(even.get::<Option<bool>>("active").unwrap(), None);
    assert_eq!(even.get::<Option<Vec<u8>>>("content").unwrap(), None);
    let count: i64 = db
        .fetch_one(&Query::new("SELECT COUNT(*) AS n FROM scratch"))
        .await
        .unwrap()
        .get("n")
        .unwrap();
    assert_eq!(count, 700, "the transaction dropped before left nothing");
}

#[tokio::test]
async fn a_query_reads_only_as_many_rows_as_asked_and_counts_what_it_touched() {
    let database = TestDatabase::create().await;
    let db = database.connect().await;
    scratch_table(&db).await;
    for id in 1..=3 {
        db.execute(&insert(id, &format!("c{id}"), id)).await.expect("insert");
    }
    let first = db
        .fetch_optional(&Query::new("SELECT code FROM scratch ORDER BY id"))
        .await
        .expect("first")
        .expect("a row");
    assert_eq!(first.get::<String>("code").unwrap(), "c1");
    let none = db
        .fetch_optional(&Query::new("SELECT code FROM scratch WHERE id = 99"))
        .await
        .expect("none");
    assert!(none.is_none());
    assert!(matches!(
        db.fetch_one(&Query::new("SELECT code FROM scratch WHERE id = 99"))
            .await,
        Err(DbError::NoRow)
    ));
    let changed = db
        .execute(&Query::new("UPDATE scratch SET quantity = quantity + 1 WHERE id >= $1").bind(2))
        .await
        .expect("update");
    assert_eq!(changed, 2);
    let read = db
        .execute(&Query::new("SELECT code FROM scratch"))
        .await
        .expect("a read run as a statement");
    assert_eq!(read, 3, "a read counts the rows it read");
}

#[tokio::test]
async fn lists_and_tables_of_values_of_any_length_select_and_update_alike() {
    let database = TestDatabase::create().await;
    let db = database.connect().await;
    scratch_table(&db).await;
    for id in 1..=5 {
        db.execute(&insert(id, &format!("c{id}"), id)).await.expect("insert");
    }
    // The same statement with lists of different lengths, a placeholder used twice and one
    // after the lists, and a list of placeholders among them.
    for (ids, codes, expected) in [
        (vec![1, 2, 3], vec!["c2", "c3"], vec!["c2", "c3"]),
        (vec![4], vec!["c4", "c5", "zz"], vec!["c4"]),
    ] {
        let mut query = Query::new("SELECT code FROM scratch WHERE quantity >= $1 AND id").bind(1);
        query
            .push_in_array(ids)
            .push(" AND code")
            .push_in_array(codes)
            .push(" AND id NOT IN ")
            .push_bind_list([5_i64])
            .push(" AND quantity <= $1 + ")
            .push_bind(10)
            .push(" ORDER BY id");
        let found: Vec<String> = db
            .fetch_all(&query)
            .await
            .expect("select")
            .iter()
            .map(|row| row.get("code").unwrap())
            .collect();
        assert_eq!(found, expected);
    }
    let mut update = Query::new("UPDATE scratch SET quantity = scratch.quantity + v.added FROM ");
    update
        .push_values_table(
            &["id", "added"],
            &[vec![2.into(), 20.into()], vec![4.into(), 40.into()]],
        )
        .push(" AS v WHERE scratch.id = v.id AND scratch.code <> ")
        .push_bind("c4");
    let changed = db.execute(&update).await.expect("update from a table of values");
    assert_eq!(changed, 1);
    let mut uneven = Query::new("UPDATE scratch SET quantity = 0 FROM ");
    uneven
        .push_values_table(&["id", "added"], &[vec![1.into(), 10.into()], vec![3.into()]])
        .push(" AS v WHERE scratch.id = v.id");
    assert!(
        db.execute(&uneven).await.is_err(),
        "rows of other widths than the columns are refused"
    );
    let quantities: Vec<i64> = db
        .fetch_all(&Query::new("SELECT quantity FROM scratch ORDER BY id"))
        .await
        .unwrap()
        .iter()
        .map(|row| row.get("quantity").unwrap())
        .collect();
    assert_eq!(quantities, vec![1, 22, 3, 4, 5]);
}

#[tokio::test]
async fn constraint_failures_are_told_apart_and_change_nothing() {
    let database = TestDatabase::create().await;
    let db = database.connect().await;
    scratch_table(&db).await;
    db.execute(&insert(1, "a", 1)).await.expect("insert");

    let mut tx = db.begin().await.expect("begin");
    tx.execute(&insert(2, "b", 1)).await.expect("a good row");
    let repeated = tx.execute(&insert(3, "a", 1)).await;
    assert!(matches!(repeated, Err(DbError::UniqueViolation(_))), "{repeated:?}");
    drop(tx);

    let negative = db.execute(&insert(4, "d", -1)).await;
    assert!(matches!(negative, Err(DbError::CheckViolation(_))), "{negative:?}");
    assert_eq!(codes(&db).await, vec!["a"], "the abandoned transaction left nothing");
}

#[tokio::test]
async fn a_dropped_transaction_rolls_back_and_its_connection_serves_the_next() {
    let database = TestDatabase::create().await;
    let db = database.connect().await;
    scratch_table(&db).await;
    for round in 0..20 {
        let mut tx = db.begin().await.expect("begin");
        tx.execute(&insert(round, &format!("r{round}"), 1))
            .await
            .expect("insert");
        if round % 2 == 0 {
            tx.commit().await.expect("commit");
        }
    }
    let kept = codes(&db).await;
    assert_eq!(kept.len(), 10);
    assert!(kept.iter().all(|code| code[1..].parse::<i64>().unwrap() % 2 == 0));
}

/// On a runtime of one thread, a statement that writes outside a transaction while a task holds
/// a transaction must wait for its turn instead of holding the thread the other task needs.
#[tokio::test]
async fn a_write_outside_a_transaction_waits_for_the_open_transaction_to_end() {
    let database = TestDatabase::create().await;
    let db = database.connect().await;
    scratch_table(&db).await;
    let mut tx = db.begin().await.expect("begin");
    tx.execute(&insert(1, "inside", 1)).await.expect("insert");
    let outside = {
        let db = db.clone();
        tokio::spawn(async move { db.execute(&insert(2, "outside", 1)).await })
    };
    // The outside writer runs up to its wait (on SQLite); reads go on meanwhile.
    tokio::task::yield_now().await;
    assert!(
        !codes(&db).await.contains(&"inside".to_owned()),
        "the transaction is not committed yet"
    );
    tx.commit().await.expect("commit");
    let written = tokio::time::timeout(std::time::Duration::from_secs(10), outside)
        .await
        .expect("the outside write finished once the transaction ended")
        .expect("task");
    assert_eq!(written.expect("outside write"), 1);
    assert_eq!(codes(&db).await, vec!["inside", "outside"]);
}

/// Order lines and stock movements name their tenant, product, warehouse and user without a
/// reference the database checks, so the database refuses to delete any of those rows instead.
#[tokio::test]
async fn the_masters_the_ledgers_name_are_never_deleted() {
    let app = testkit::TestApp::with_demo().await;
    for table in ["tenants", "products", "warehouses", "users"] {
        let count = format!("SELECT COUNT(*) AS n FROM {table}");
        let before = app.count(&count).await;
        let deleted = app
            .db
            .execute(&Query::new(format!(
                "DELETE FROM {table} WHERE id = (SELECT MAX(id) FROM {table})"
            )))
            .await;
        let refusal = deleted.expect_err("the delete is refused").to_string();
        assert!(refusal.contains(&format!("{table} are never deleted")), "{refusal}");
        assert_eq!(app.count(&count).await, before, "{table}");
    }
}
