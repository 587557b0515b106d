//! `dealerport`: the one binary. Sub-commands parse their arguments and call into the
//! capabilities; no business logic lives here.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::TimeDelta;
use clap::{Args, Parser, Subcommand, ValueEnum};
use identity::domain::{NewTenant, UserInput};
use platform::db::DbOptions;
use platform::jobs::{self, Worker};
use platform::secret::SecretKey;
use platform::{Actor, Clock, Db, Failure};
use tokio::net::TcpListener;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Dealerport: a dealer and distributor management portal.
#[derive(Parser)]
#[command(name = "dealerport", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DatabaseArgs {
    /// `postgres://user@host/db`, or a SQLite file (`sqlite:path` or a plain path), created when missing.
    #[arg(long, env = "DEALERPORT_DATABASE_URL", default_value = "sqlite:dealerport.db")]
    database_url: String,
    /// Seals the secrets kept in the database (a tenant's SMTP password): 64 hexadecimal
    /// characters, such as `openssl rand -hex 32` prints. Every server of one database needs the
    /// same key. Without it such secrets are stored as typed.
    #[arg(long, env = "DEALERPORT_SECRET_KEY", hide_env_values = true)]
    secret_key: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the portal and the API; applies pending migrations first.
    Serve {
        #[command(flatten)]
        database: DatabaseArgs,
        /// Address to listen on.
        #[arg(long, env = "DEALERPORT_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Seed the demo tenant if it is not there yet (other data is never touched).
        #[arg(long)]
        demo: bool,
        /// Mark cookies Secure; set this when the portal is served over HTTPS.
        #[arg(long, env = "DEALERPORT_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Do not run background jobs in this process.
        #[arg(long)]
        no_jobs: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Seed the demo tenant: `small` for trying the product, `large` for benchmarks.
    Demo {
        #[command(flatten)]
        database: DatabaseArgs,
        #[arg(long, value_enum, default_value_t = Scale::Small)]
        scale: Scale,
    },
    /// Manage tenants.
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Exchange EDI interchanges from files, for operators and scripts.
    Edi {
        #[command(subcommand)]
        command: EdiCommand,
    },
}

#[derive(Subcommand)]
enum EdiCommand {
    /// Receive interchange files as if posted to the inbox, and say what became of each.
    Import {
        #[command(flatten)]
        database: DatabaseArgs,
        /// The tenant's code.
        #[arg(long)]
        tenant: String,
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
    },
    /// Write the interchanges waiting in the outbox into a folder, each whole, and mark them
    /// delivered; first writes any ORDRSP and DESADV the partners are owed.
    Export {
        #[command(flatten)]
        database: DatabaseArgs,
        /// The tenant's code.
        #[arg(long)]
        tenant: String,
        /// Only this partner, by its dealer's code.
        #[arg(long)]
        partner: Option<String>,
        /// The folder to write into.
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Scale {
    Small,
    Large,
}

#[derive(Subcommand)]
enum TenantCommand {
    /// Create a tenant (a manufacturer running the portal).
    Create {
        #[command(flatten)]
        database: DatabaseArgs,
        /// Short code, letters and digits.
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// ISO 4217 currency of its prices, such as RUB or CNY.
        #[arg(long, default_value = "RUB")]
        currency: String,
        /// Default language of its pages: en, ru or zh.
        #[arg(long, default_value = "en")]
        locale: String,
        /// IANA time zone, such as Europe/Moscow.
        #[arg(long, default_value = "Europe/Moscow")]
        time_zone: String,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user of a tenant, for example its first administrator.
    Create {
        #[command(flatten)]
        database: DatabaseArgs,
        /// The tenant's code.
        #[arg(long)]
        tenant: String,
        /// The e-mail address the user signs in with.
        #[arg(long)]
        login: String,
        #[arg(long)]
        name: String,
        /// Initial password (at least 8 characters); or set DEALERPORT_PASSWORD.
        #[arg(long, env = "DEALERPORT_PASSWORD", hide_env_values = true)]
        password: String,
        /// Role codes, repeatable: administrator, sales_manager, order_desk, warehouse, finance,
        /// support; for dealer users dealer_administrator, purchaser, receiving_clerk, accountant.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// For internal users: see every region of the tenant.
        #[arg(long)]
        all_regions: bool,
    },
}

/// Logs go to standard error, as text or, with `DEALERPORT_LOG_FORMAT=json`, one JSON object
/// per line for log collectors.
fn init_logging() {
    let filter =
        tracing_subscriber::EnvFilter::try_from_env("DEALERPORT_LOG").unwrap_or_else(|_| "info,sqlx=warn".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    if std::env::var("DEALERPORT_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Connects and brings the schema up to date; every sub-command starts here.
async fn open(database: &DatabaseArgs) -> Result<Db, String> {
    // A malformed key stops the command before it touches the database.
    let key = database
        .secret_key
        .as_deref()
        .map(SecretKey::parse)
        .transpose()
        .map_err(|e| format!("DEALERPORT_SECRET_KEY: {e}"))?;
    let db = Db::connect(&DbOptions::new(&database.database_url))
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    db.migrate()
        .await
        .map_err(|e| format!("cannot migrate the database: {e}"))?;
    let Some(key) = key else {
        tracing::warn!("DEALERPORT_SECRET_KEY is not set: SMTP passwords are stored as typed");
        return Ok(db);
    };
    let db = db.with_secret_key(key);
    let sealed = platform::mail::seal_stored_passwords(&db)
        .await
        .map_err(|e| format!("cannot seal the stored SMTP passwords: {e}"))?;
    if sealed > 0 {
        tracing::info!(
            sealed,
            "SMTP passwords saved before the secret key was set are sealed now"
        );
    }
    Ok(db)
}

fn describe(failure: Failure) -> String {
    match failure {
        Failure::Invalid(errors) => errors
            .iter()
            .map(|e| {
                let params: Vec<String> = e.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("{}: {} {}", e.field, e.code, params.join(" "))
            })
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

async fn run(command: Command) -> Result<(), String> {
    let clock = Clock::system();
    match command {
        Command::Serve {
            database,
            listen,
            demo,
            secure_cookies,
            no_jobs,
        } => {
            let db = open(&database).await?;
            if demo {
                seed_demo(&db, &clock, Scale::Small).await?;
            }
            serve(db, clock, listen, secure_cookies, !no_jobs).await
        }
        Command::Migrate { database } => {
            let db = Db::connect(&DbOptions::new(&database.database_url))
                .await
                .map_err(|e| format!("cannot open the database: {e}"))?;
            let applied = db
                .migrate()
                .await
                .map_err(|e| format!("cannot migrate the database: {e}"))?;
            println!("applied {applied} migration(s)");
            Ok(())
        }
        Command::Demo { database, scale } => {
            let db = open(&database).await?;
            seed_demo(&db, &clock, scale).await
        }
        Command::Tenant {
            command:
                TenantCommand::Create {
                    database,
                    code,
                    name,
                    currency,
                    locale,
                    time_zone,
                },
        } => {
            let db = open(&database).await?;
            let input = NewTenant {
                code,
                name,
                currency,
                default_locale: locale,
                time_zone,
            };
            let tenant = identity::commands::create_tenant(&db, &clock, &input)
                .await
                .map_err(|e| describe(e.into()))?;
            println!("created tenant {} ({}) with id {}", tenant.code, tenant.name, tenant.id);
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Create {
                    database,
                    tenant,
                    login,
                    name,
                    password,
                    roles,
                    all_regions,
                },
        } => {
            let db = open(&database).await?;
            let tenant = identity::queries::tenant_by_code(&db, &tenant)
                .await
                .map_err(|e| describe(e.into()))?
                .ok_or_else(|| format!("no tenant with code {tenant}"))?;
            let input = UserInput {
                login,
                display_name: name,
                password: Some(password),
                roles,
                all_regions,
                ..UserInput::default()
            };
            let user = identity::commands::create_user(&db, &clock, &Actor::system(tenant.id), &input)
                .await
                .map_err(|e| describe(e.into()))?;
            println!("created user {} with id {}", user.login, user.id);
            Ok(())
        }
        Command::Edi { command } => run_edi(&clock, command).await,
    }
}

async fn run_edi(clock: &Clock, command: EdiCommand) -> Result<(), String> {
    let (database, tenant) = match &command {
        EdiCommand::Import { database, tenant, .. } | EdiCommand::Export { database, tenant, .. } => (database, tenant),
    };
    let db = open(database).await?;
    let tenant = identity::queries::tenant_by_code(&db, tenant)
        .await
        .map_err(|e| describe(e.into()))?
        .ok_or_else(|| format!("no tenant with code {tenant}"))?;
    let system = Actor::system(tenant.id);
    match command {
        EdiCommand::Import { files, .. } => {
            let mut rejected = 0;
            for file in files {
                let content = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
                let receipt = edi::commands::receive(&db, clock, &system, &content, "cli")
                    .await
                    .map_err(describe)?;
                println!(
                    "{}: interchange {} {}{}",
                    file.display(),
                    receipt.interchange_id,
                    receipt.status,
                    receipt.error.map(|e| format!(" ({e})")).unwrap_or_default()
                );
                for message in &receipt.messages {
                    println!(
                        "  {} {} {}{}",
                        message.message_type,
                        message.document_number.as_deref().unwrap_or(&message.message_reference),
                        message.status,
                        message.order_id.map(|id| format!(", order {id}")).unwrap_or_default()
                    );
                    for problem in &message.errors {
                        println!("    {} {}", problem.aperak_code, problem.detail);
                    }
                }
                if receipt.status == "rejected" || receipt.messages.iter().any(|m| m.status == "rejected") {
                    rejected += 1;
                }
            }
            if rejected > 0 {
                return Err(format!("{rejected} interchange(s) had problems; see above"));
            }
            Ok(())
        }
        EdiCommand::Export { partner, out, .. } => {
            edi::dispatch::dispatch(&db, clock).await.map_err(describe)?;
            let partners = edi::queries::partners(&db, &system).await.map_err(describe)?;
            let chosen: Vec<_> = partners
                .iter()
                .filter(|p| partner.as_ref().is_none_or(|code| &p.dealer_code == code))
                .collect();
            if let (Some(code), true) = (&partner, chosen.is_empty()) {
                return Err(format!("dealer {code} is not an EDI partner"));
            }
            let mut written = 0;
            for partner in chosen {
                let waiting = edi::folders::waiting_for(&db, tenant.id, partner.id)
                    .await
                    .map_err(describe)?;
                written += edi::folders::deliver(&db, clock, tenant.id, &out, waiting)
                    .await
                    .map_err(describe)?;
            }
            println!("wrote {written} interchange(s) to {}", out.display());
            Ok(())
        }
    }
}

async fn seed_demo(db: &Db, clock: &Clock, scale: Scale) -> Result<(), String> {
    let scale = match scale {
        Scale::Small => demo::Scale::Small,
        Scale::Large => demo::Scale::Large,
    };
    let report = demo::seed(db, clock, scale)
        .await
        .map_err(|e| format!("cannot seed the demo tenant: {e}"))?;
    println!("{report}");
    Ok(())
}

async fn serve(db: Db, clock: Clock, listen: SocketAddr, secure_cookies: bool, run_jobs: bool) -> Result<(), String> {
    let state = web::AppState {
        db: db.clone(),
        clock: clock.clone(),
        secure_cookies,
        direct_export_rows: platform::page::MAX_EXPORT_ROWS,
    };
    let app = web::router(state);
    // Watched before the server listens: axum first polls its shutdown future in a task of its
    // own, and a SIGTERM that came before that poll killed the process instead of stopping it.
    let stop = shutdown_signal()?;
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    println!(
        "Dealerport is listening on http://{address}/ (database: {})",
        db.backend_name()
    );
    let (stop_sender, stop_receiver) = tokio::sync::watch::channel(false);
    let worker = run_jobs.then(|| tokio::spawn(run_worker(db.clone(), clock.clone(), stop_receiver)));
    // As a make-service the router is readied for its state once; served as a plain router, axum
    // readies it again for every connection: about a tenth of the CPU time of an order placed
    // over a connection of its own.
    axum::serve(listener, app.into_make_service())
        .with_graceful_shutdown(stop)
        .await
        .map_err(|e| format!("server error: {e}"))?;
    let _ = stop_sender.send(true);
    if let Some(worker) = worker {
        let _ = worker.await;
    }
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

const HOUSEKEEPING: &str = "housekeeping";

/// Runs background jobs until shutdown. Housekeeping (expired sessions, old failed sign-ins)
/// reschedules itself hourly.
async fn run_worker(db: Db, clock: Clock, mut stop: tokio::sync::watch::Receiver<bool>) {
    for kind in [HOUSEKEEPING, edi::dispatch::JOB_KIND] {
        if let Err(error) = jobs::ensure_queued(&db, kind, clock.now()).await {
            tracing::warn!(%error, kind, "cannot schedule a recurring job");
        }
    }
    let name = format!(
        "{}-{}",
        std::process::id(),
        platform::secret::new_token()
            .unwrap_or_default()
            .get(..8)
            .unwrap_or("0")
    );
    let housekeeping_clock = clock.clone();
    let handler: jobs::Handler = Arc::new(move |db: Db, _job| {
        let clock = housekeeping_clock.clone();
        Box::pin(async move {
            let removed = identity::commands::delete_expired_sessions(&db, &clock)
                .await
                .map_err(|e| Failure::from(e).to_string())?;
            tracing::info!(removed, "housekeeping done");
            jobs::ensure_queued(&db, HOUSEKEEPING, clock.now() + TimeDelta::hours(1))
                .await
                .map_err(|e| e.to_string())
        })
    });
    let imports = web::imports::job_handler(clock.clone());
    let edi_dispatch = edi::dispatch::job_handler(clock.clone());
    let exports = web::exports::job_handler(clock.clone());
    let worker = Worker::new(db, clock, name)
        .handle(HOUSEKEEPING, handler)
        .handle(platform::imports::JOB_KIND, imports)
        .handle(platform::mail::JOB_KIND, web::mail::job_handler())
        .handle(platform::exports::JOB_KIND, exports)
        .handle(edi::dispatch::JOB_KIND, edi_dispatch);
    worker
        .run(async move {
            let _ = stop.wait_for(|stopped| *stopped).await;
        })
        .await;
}

/// Ends when the server is told to stop (SIGINT or SIGTERM). The signals are watched from the
/// call, not from the first poll.
#[cfg(unix)]
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>, String> {
    use tokio::signal::unix::{signal, SignalKind};
    let watch = |kind: SignalKind| signal(kind).map_err(|e| format!("cannot watch for signals: {e}"));
    let mut interrupt = watch(SignalKind::interrupt())?;
    let mut terminate = watch(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        tracing::info!("shutting down: finishing requests in flight");
    })
}

#[cfg(not(unix))]
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>, String> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down: finishing requests in flight");
    })
}
