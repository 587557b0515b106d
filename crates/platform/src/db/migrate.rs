//! Numbered migrations, one portable set for both databases.
//!
//! The SQL files in `migrations/` differ between the databases only in a few spellings, written as
//! tokens and replaced here: `{{id}}` (an auto-numbered primary key), `{{bytes}}` (binary data)
//! and `{{continue_ids table}}`, which after a table is rebuilt with its old ids makes new ids
//! follow them (PostgreSQL's identity does not notice rows inserted with ids; SQLite's
//! AUTOINCREMENT does), and `{{revision column ON table [OF col, …]}}`, which makes every row
//! inserted into or deleted from `table`, or updated (in the listed columns only, when there is a
//! list), add one to `tenants.column` of the row's tenant, in the same transaction: a revision
//! that a process keeping those rows in memory compares with its copy's. `{{never_deleted table}}`
//! makes the database refuse to delete any row of `table`: for masters that other tables name
//! without a reference.
//! All pending migrations apply in one transaction; on PostgreSQL an advisory lock makes servers
//! that start together take turns.

use chrono::Utc;

use super::{Db, DbError, Query, Tx};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "platform and identity",
        sql: include_str!("../../../../migrations/0001_platform.sql"),
    },
    Migration {
        version: 2,
        name: "catalog and pricing",
        sql: include_str!("../../../../migrations/0002_catalog_and_pricing.sql"),
    },
    Migration {
        version: 3,
        name: "publication and dealer catalog",
        sql: include_str!("../../../../migrations/0003_publication_and_dealer_catalog.sql"),
    },
    Migration {
        version: 4,
        name: "promotions",
        sql: include_str!("../../../../migrations/0004_promotions.sql"),
    },
    Migration {
        version: 7,
        name: "ordering",
        sql: include_str!("../../../../migrations/0007_ordering.sql"),
    },
    Migration {
        version: 8,
        name: "imports",
        sql: include_str!("../../../../migrations/0008_imports.sql"),
    },
    Migration {
        version: 9,
        name: "order execution",
        sql: include_str!("../../../../migrations/0009_order_execution.sql"),
    },
    Migration {
        version: 10,
        name: "messages",
        sql: include_str!("../../../../migrations/0010_messages.sql"),
    },
    Migration {
        version: 11,
        name: "change requests",
        sql: include_str!("../../../../migrations/0011_change_requests.sql"),
    },
    Migration {
        version: 12,
        name: "change request history",
        sql: include_str!("../../../../migrations/0012_change_request_history.sql"),
    },
    Migration {
        version: 13,
        name: "shipments",
        sql: include_str!("../../../../migrations/0013_shipments.sql"),
    },
    Migration {
        version: 14,
        name: "receipts",
        sql: include_str!("../../../../migrations/0014_receipts.sql"),
    },
    Migration {
        version: 15,
        name: "stock imports and alerts",
        sql: include_str!("../../../../migrations/0015_stock_imports_and_alerts.sql"),
    },
    Migration {
        version: 16,
        name: "returns",
        sql: include_str!("../../../../migrations/0016_returns.sql"),
    },
    Migration {
        version: 17,
        name: "return photos",
        sql: include_str!("../../../../migrations/0017_return_photos.sql"),
    },
    Migration {
        version: 18,
        name: "sales organisations",
        sql: include_str!("../../../../migrations/0018_sales_organisations.sql"),
    },
    Migration {
        version: 19,
        name: "mail",
        sql: include_str!("../../../../migrations/0019_mail.sql"),
    },
    Migration {
        version: 20,
        name: "edi",
        sql: include_str!("../../../../migrations/0020_edi.sql"),
    },
    Migration {
        version: 21,
        name: "edi cross references",
        sql: include_str!("../../../../migrations/0021_edi_cross_references.sql"),
    },
    Migration {
        version: 22,
        name: "channel reports",
        sql: include_str!("../../../../migrations/0022_channel_reports.sql"),
    },
    Migration {
        version: 23,
        name: "dashboard indexes",
        sql: include_str!("../../../../migrations/0023_dashboard_indexes.sql"),
    },
    Migration {
        version: 24,
        name: "promotion category index",
        sql: include_str!("../../../../migrations/0024_promotion_category_index.sql"),
    },
    Migration {
        version: 25,
        name: "exports",
        sql: include_str!("../../../../migrations/0025_exports.sql"),
    },
    Migration {
        version: 26,
        name: "received is accepted",
        sql: include_str!("../../../../migrations/0026_received_is_accepted.sql"),
    },
    Migration {
        version: 27,
        name: "unread order indexes",
        sql: include_str!("../../../../migrations/0027_unread_order_indexes.sql"),
    },
    Migration {
        version: 28,
        name: "edi exchange problems",
        sql: include_str!("../../../../migrations/0028_edi_exchange_problems.sql"),
    },
    Migration {
        version: 29,
        name: "promotion revision",
        sql: include_str!("../../../../migrations/0029_promotion_revision.sql"),
    },
    Migration {
        version: 30,
        name: "ledger references",
        sql: include_str!("../../../../migrations/0030_ledger_references.sql"),
    },
    Migration {
        version: 31,
        name: "price list revision",
        sql: include_str!("../../../../migrations/0031_price_list_revision.sql"),
    },
    Migration {
        version: 32,
        name: "idempotency key per dealer",
        sql: include_str!("../../../../migrations/0032_idempotency_key_per_dealer.sql"),
    },
];

/// An arbitrary constant that names "the migration lock" among advisory locks.
const MIGRATION_LOCK_KEY: i64 = 0x6465_616c_6572;

fn render(sql: &str, postgres: bool) -> String {
    let (id, bytes) = if postgres {
        ("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "BYTEA")
    } else {
        ("INTEGER PRIMARY KEY AUTOINCREMENT", "BLOB")
    };
    let mut sql = sql.replace("{{id}}", id).replace("{{bytes}}", bytes);
    expand(&mut sql, "continue_ids", |table| continue_ids(table, postgres));
    expand(&mut sql, "revision", |spec| revision_triggers(spec, postgres));
    expand(&mut sql, "never_deleted", |table| never_deleted(table, postgres));
    sql
}

/// Replaces every `{{name arguments}}` in `sql` with what `expansion` makes of its arguments.
fn expand(sql: &mut String, name: &str, expansion: impl Fn(&str) -> String) {
    let opening = format!("{{{{{name} ");
    while let Some(start) = sql.find(&opening) {
        let Some(length) = sql[start..].find("}}") else {
            break;
        };
        let expanded = expansion(sql[start + opening.len()..start + length].trim());
        sql.replace_range(start..start + length + 2, &expanded);
    }
}

/// The statement of `{{continue_ids table}}`: none on SQLite, whose AUTOINCREMENT follows the
/// ids by itself.
fn continue_ids(table: &str, postgres: bool) -> String {
    if postgres {
        format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false);"
        )
    } else {
        String::new()
    }
}

/// The trigger of `{{never_deleted table}}`.
fn never_deleted(table: &str, postgres: bool) -> String {
    if postgres {
        format!(
            "CREATE OR REPLACE FUNCTION refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$\n\
             BEGIN\n\
             RAISE EXCEPTION '% are never deleted', TG_TABLE_NAME;\n\
             END $$;\n\
             CREATE TRIGGER {table}_never_deleted BEFORE DELETE ON {table} \
             FOR EACH ROW EXECUTE FUNCTION refuse_delete();\n"
        )
    } else {
        format!(
            "CREATE TRIGGER {table}_never_deleted BEFORE DELETE ON {table} FOR EACH ROW \
             BEGIN SELECT RAISE(ABORT, '{table} are never deleted'); END;\n"
        )
    }
}

/// The triggers of `{{revision column ON table [OF columns]}}`.
fn revision_triggers(spec: &str, postgres: bool) -> String {
    let (column, rest) = spec.split_once(" ON ").unwrap_or((spec, ""));
    let (table, columns) = rest.split_once(" OF ").unwrap_or((rest, ""));
    let (column, table, columns) = (column.trim(), table.trim(), columns.trim());
    let update = if columns.is_empty() {
        "UPDATE".to_owned()
    } else {
        format!("UPDATE OF {columns}")
    };
    let events = [
        ("insert", "INSERT", "NEW"),
        ("update", update.as_str(), "NEW"),
        ("delete", "DELETE", "OLD"),
    ];
    let mut sql = String::new();
    if postgres {
        // One function per revision column serves every table that moves it.
        sql.push_str(&format!(
            "CREATE OR REPLACE FUNCTION bump_{column}() RETURNS trigger LANGUAGE plpgsql AS $$\n\
             BEGIN\n\
             IF TG_OP = 'DELETE' THEN\n\
             UPDATE tenants SET {column} = {column} + 1 WHERE id = OLD.tenant_id;\n\
             ELSE\n\
             UPDATE tenants SET {column} = {column} + 1 WHERE id = NEW.tenant_id;\n\
             END IF;\n\
             RETURN NULL;\n\
             END $$;\n"
        ));
        for (name, event, _) in events {
            sql.push_str(&format!(
                "CREATE TRIGGER {table}_{name}_bumps_{column} AFTER {event} ON {table} \
                 FOR EACH ROW EXECUTE FUNCTION bump_{column}();\n"
            ));
        }
    } else {
        for (name, event, row) in events {
            sql.push_str(&format!(
                "CREATE TRIGGER {table}_{name}_bumps_{column} AFTER {event} ON {table} FOR EACH ROW \
                 BEGIN UPDATE tenants SET {column} = {column} + 1 WHERE id = {row}.tenant_id; END;\n"
            ));
        }
    }
    sql
}

pub(super) async fn run(db: &Db) -> Result<usize, DbError> {
    let mut tx = db.begin().await?;
    if tx.is_postgres() {
        tx.execute(&Query::new("SELECT pg_advisory_xact_lock($1)").bind(MIGRATION_LOCK_KEY))
            .await?;
    }
    tx.execute_script(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY,
            name TEXT NOT NULL,
            applied_at TIMESTAMPTZ NOT NULL
        )",
    )
    .await?;
    let current: Option<i64> = tx
        .fetch_one(&Query::new("SELECT MAX(version) AS version FROM schema_migrations"))
        .await?
        .get("version")?;
    let current = current.unwrap_or(0);
    let known = MIGRATIONS.last().map_or(0, |m| m.version);
    if current > known {
        return Err(DbError::SchemaTooNew { found: current, known });
    }
    let mut applied = 0;
    for migration in MIGRATIONS.iter().filter(|m| m.version > current) {
        apply(&mut tx, migration).await?;
        applied += 1;
    }
    tx.commit().await?;
    Ok(applied)
}

async fn apply(tx: &mut Tx, migration: &Migration) -> Result<(), DbError> {
    let sql = render(migration.sql, tx.is_postgres());
    tx.execute_script(&sql).await.map_err(|source| DbError::Migration {
        version: migration.version,
        name: migration.name,
        source: Box::new(source),
    })?;
    tx.execute(
        &Query::new("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
            .bind(migration.version)
            .bind(migration.name)
            .bind(Utc::now()),
    )
    .await?;
    tracing::info!(version = migration.version, name = migration.name, "applied migration");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn a_revision_is_moved_by_inserts_deletes_and_updates_of_the_listed_columns() {
        let sql = "{{revision r ON t OF a, b}}";
        let sqlite = render(sql, false);
        assert!(sqlite.contains("CREATE TRIGGER t_insert_bumps_r AFTER INSERT ON t FOR EACH ROW"));
        assert!(sqlite.contains("CREATE TRIGGER t_update_bumps_r AFTER UPDATE OF a, b ON t FOR EACH ROW"));
        assert!(sqlite.contains(
            "AFTER DELETE ON t FOR EACH ROW BEGIN UPDATE tenants SET r = r + 1 WHERE id = OLD.tenant_id; END;"
        ));
        let postgres = render(sql, true);
        assert!(postgres.starts_with("CREATE OR REPLACE FUNCTION bump_r() RETURNS trigger"));
        assert!(postgres.contains("AFTER UPDATE OF a, b ON t FOR EACH ROW EXECUTE FUNCTION bump_r();"));
        assert!(render("{{revision r ON t}}", false).contains("AFTER UPDATE ON t FOR EACH ROW"));
    }

    #[test]
    fn ids_continue_after_a_rebuilt_table_on_postgres_and_by_themselves_on_sqlite() {
        let sql = "ALTER TABLE a_next RENAME TO a;\n{{continue_ids a}}\nCREATE INDEX a_b ON a (b);";
        assert_eq!(
            render(sql, true),
            "ALTER TABLE a_next RENAME TO a;\nSELECT setval(pg_get_serial_sequence('a', 'id'), \
             COALESCE((SELECT MAX(id) FROM a), 0) + 1, false);\nCREATE INDEX a_b ON a (b);"
        );
        assert_eq!(
            render(sql, false),
            "ALTER TABLE a_next RENAME TO a;\n\nCREATE INDEX a_b ON a (b);"
        );
    }
}
