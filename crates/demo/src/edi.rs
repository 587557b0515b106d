//! EDI in the demo: Vektor's ERP exchanges EANCOM messages with Baikal Springs, and one of its
//! orders arrived as an ORDERS interchange, answered with a CONTRL in the outbox.

use chrono::TimeDelta;
use edi::domain::partner::PartnerInput;
use identity::domain::{Tenant, TenantSettings};
use platform::{Actor, Clock, Db, DealerId, Gln};

use crate::catalog::demo_gtin;
use crate::{find, Created, DemoError};

/// Baikal Springs' own GLN, from the same GS1 company prefix as its products.
const TENANT_GLN_BODY: &str = "460123450000";

pub async fn seed_edi(
    db: &Db,
    clock: &Clock,
    system: &Actor,
    tenant: &Tenant,
    dealers: &Created<DealerId>,
) -> Result<(), DemoError> {
    let gln = Gln::with_check_digit(TENANT_GLN_BODY).map_err(|e| DemoError::Data(e.to_string()))?;
    let settings = TenantSettings {
        name: tenant.name.clone(),
        default_locale: tenant.default_locale.code().to_owned(),
        time_zone: tenant.time_zone.clone(),
        brand_primary_color: tenant.brand_primary_color.clone(),
        brand_accent_color: tenant.brand_accent_color.clone(),
        credit_policy: None,
        gln: Some(gln.as_str().to_owned()),
    };
    identity::commands::update_tenant_settings(db, clock, system, &settings).await?;

    let vektor = find(dealers, "VEKTOR")?;
    let dealer = identity::queries::dealer(db, system, vektor).await?;
    let vektor_gln = dealer
        .dealer
        .gln
        .clone()
        .ok_or_else(|| DemoError::Data("Vektor has no GLN".into()))?;
    let location_gln = dealer
        .locations
        .iter()
        .find(|l| l.is_primary)
        .and_then(|l| l.gln.clone())
        .ok_or_else(|| DemoError::Data("Vektor's warehouse has no GLN".into()))?;
    let partner = PartnerInput {
        dealer_id: vektor.get(),
        interchange_id: vektor_gln.clone(),
        interchange_qualifier: None,
        directory: "D96A".to_owned(),
        syntax: "UNOC".to_owned(),
        syntax_version: 3,
        channel: "api".to_owned(),
        directory_path: None,
        messages_in: [
            "ORDERS", "ORDCHG", "RECADV", "RETANN", "INVRPT", "SLSRPT", "CONTRL", "APERAK",
        ]
        .map(String::from)
        .to_vec(),
        messages_out: ["ORDRSP", "DESADV", "CONTRL", "APERAK"].map(String::from).to_vec(),
        active: true,
    };
    edi::commands::create_partner(db, clock, system, &partner).await?;

    let delivery = ordering::commands::tenant_today(db, clock, system).await? + TimeDelta::days(6);
    let interchange = orders_interchange(
        gln.as_str(),
        &vektor_gln,
        &location_gln,
        &delivery.format("%Y%m%d").to_string(),
        demo_gtin(1)?.as_str(),
        demo_gtin(4)?.as_str(),
    );
    edi::commands::receive(db, clock, system, interchange.as_bytes(), "api").await?;
    Ok(())
}

/// Vektor's ERP orders 240 bottles of still water and 96 of sparkling, quoting an old price for
/// the sparkling water, which the order desk sees noted on the message.
fn orders_interchange(
    ours: &str,
    vektor: &str,
    warehouse: &str,
    delivery: &str,
    still: &str,
    sparkling: &str,
) -> String {
    [
        "UNA:+.? '".to_owned(),
        format!("UNB+UNOC:3+{vektor}:14+{ours}:14+261124:0930+VK000145++ORDERS++1'"),
        "UNH+1+ORDERS:D:96A:UN:EAN008'".to_owned(),
        "BGM+220+VK-EDI-0145+9'".to_owned(),
        "DTM+137:20261124:102'".to_owned(),
        format!("DTM+2:{delivery}:102'"),
        "FTX+AAI+++Unloading from 9 to 17 only'".to_owned(),
        format!("NAD+BY+{vektor}::9'"),
        format!("NAD+SU+{ours}::9'"),
        format!("NAD+DP+{warehouse}::9'"),
        "CUX+2:RUB:9'".to_owned(),
        format!("LIN+1++{still}:SRV'"),
        "QTY+21:240'".to_owned(),
        format!("LIN+2++{sparkling}:SRV'"),
        "QTY+21:96'".to_owned(),
        "PRI+AAA:41.50'".to_owned(),
        "UNS+S'".to_owned(),
        "CNT+2:2'".to_owned(),
        "UNT+17+1'".to_owned(),
        "UNZ+1+VK000145'".to_owned(),
    ]
    .join("\n")
}
