//! PRICAT, the price/sales catalogue: our products and prices for a dealer, for EANCOM 97
//! (D.96A) and EANCOM 2002 (D.01B).
//!
//! ```text
//! UNH+1+PRICAT:D:96A:UN:EAN006'       PRICAT:D:01B:UN:EAN008 in EANCOM 2002
//! BGM+9+PC-2024-01+9'                 1225: 9 original (the full catalogue), 4 change
//! DTM+137:202401160905:203'
//! DTM+194:20240201:102'               valid from, when given
//! NAD+BY+<buyer GLN>::9'
//! NAD+SU+<supplier GLN>::9'
//! CUX+2:RUB:8'                        6343 = 8, price list currency
//! PGI+2'                              one product group: the items follow in it
//! LIN+1+1+4607001543213:EN'           1229: 1 added, 3 changed, 2 deleted; SRV in EANCOM 2002
//! PIA+5+BP-7:SA'                      our article number
//! IMD+F++:::Brake pads'               the name, fitted to the character set, 2 × 35 characters
//! QTY+52:4:PCE'                       pack size (quantity per pack)
//! QTY+53:8:PCE'                       minimum order quantity
//! PRI+AAA:1250.50:::1:PCE'            net price per one unit
//! PRI+AAB:1400.00:::1:PCE'            list (gross) price, when given
//! TAX+7+VAT+++:::20'                  VAT rate in per cent
//! ```
//!
//! The order multiple has no quantity qualifier we could confirm in D.96A/D.01B (6063), so it
//! is not written yet; agree it with a partner (or take it from its EANCOM guide) before relying
//! on it. PRICAT has no UNS nor CNT here.

use chrono::NaiveDate;
use edifact::SyntaxError;

use super::envelope::{number_text, split_at_character, Outbound};
use super::ordrsp::{date_102, gtin_item_type, party};

/// What an item line does to the catalogue the dealer has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemAction {
    /// 1229 = 1.
    Added,
    /// 1229 = 3.
    Changed,
    /// 1229 = 2.
    Deleted,
}

impl ItemAction {
    /// The action request (1229) of LIN.
    pub fn code(self) -> &'static str {
        match self {
            ItemAction::Added => "1",
            ItemAction::Changed => "3",
            ItemAction::Deleted => "2",
        }
    }
}

/// One product of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueItem {
    pub action: ItemAction,
    pub gtin: String,
    /// Our article number (PIA+5 …:SA); not written when empty.
    pub sku: String,
    /// IMD; text the character set cannot hold becomes '?'.
    pub name: String,
    /// UN/ECE recommendation 20 unit such as PCE, for quantities and prices; none when empty.
    pub unit: String,
    /// QTY+52, not written when 0 or less.
    pub pack_size: i64,
    /// QTY+53, not written when 0 or less.
    pub min_order_quantity: i64,
    /// Not written yet (see the module documentation).
    pub order_multiple: i64,
    /// PRI+AAA, decimal text with '.'.
    pub net_price: String,
    /// PRI+AAB.
    pub list_price: Option<String>,
    /// TAX+7+VAT, per cent as decimal text such as "20"; not written when empty.
    pub vat_rate: String,
}

/// A price catalogue to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceCatalogue {
    /// BGM 1004.
    pub document_number: String,
    /// The catalogue's date; DTM+137 is the preparation time of the interchange, so this is
    /// only written when it differs from that day, as DTM+137 in format 102 replacing it.
    pub issued_on: NaiveDate,
    /// DTM+194.
    pub valid_from: Option<NaiveDate>,
    pub buyer_gln: String,
    pub supplier_gln: String,
    /// CUX+2 …:8; not written when empty.
    pub currency: String,
    /// The whole catalogue (BGM 1225 = 9) or changes only (4).
    pub full: bool,
    pub items: Vec<CatalogueItem>,
}

/// Longest item description (7008, an..35); an IMD has two of them.
const DESCRIPTION_LENGTH: usize = 35;

/// Writes a complete interchange holding one PRICAT, in the outbound directory.
pub fn write_pricat(outbound: &Outbound, catalogue: &PriceCatalogue) -> Result<Vec<u8>, SyntaxError> {
    let mut writer = outbound.open_interchange()?;
    writer.begin_message(&outbound.directory.message_header("1", "PRICAT"))?;
    let function = if catalogue.full { "9" } else { "4" };
    writer.segment("BGM", &[&["9"], &[&catalogue.document_number], &[function]])?;
    if catalogue.issued_on == outbound.prepared_at.date_naive() {
        writer.segment("DTM", &[&["137", &outbound.prepared_at_203(), "203"]])?;
    } else {
        writer.segment("DTM", &[&["137", &date_102(catalogue.issued_on), "102"]])?;
    }
    if let Some(date) = catalogue.valid_from {
        writer.segment("DTM", &[&["194", &date_102(date), "102"]])?;
    }
    party(&mut writer, "BY", &catalogue.buyer_gln)?;
    party(&mut writer, "SU", &catalogue.supplier_gln)?;
    if !catalogue.currency.is_empty() {
        writer.segment("CUX", &[&["2", &catalogue.currency, "8"]])?;
    }
    if !catalogue.items.is_empty() {
        writer.segment("PGI", &[&["2"]])?;
    }
    let item_type = gtin_item_type(outbound.directory);
    // Numbers are written into one buffer after another, rather than each into a new string.
    let mut number = String::new();
    for (line_number, item) in (1..).zip(&catalogue.items) {
        let line = number_text(&mut number, line_number);
        writer.segment("LIN", &[&[line], &[item.action.code()], &[&item.gtin, item_type]])?;
        if !item.sku.is_empty() {
            writer.segment("PIA", &[&["5"], &[&item.sku, "SA"]])?;
        }
        let name = outbound.fit_text(&item.name);
        let (first, rest) = split_at_character(&name, DESCRIPTION_LENGTH);
        let (second, _) = split_at_character(rest, DESCRIPTION_LENGTH);
        if !first.is_empty() {
            writer.segment("IMD", &[&["F"], &[""], &["", "", "", first, second]])?;
        }
        let unit = item.unit.as_str();
        if item.pack_size > 0 {
            writer.segment("QTY", &[&["52", number_text(&mut number, item.pack_size), unit]])?;
        }
        if item.min_order_quantity > 0 {
            let quantity = number_text(&mut number, item.min_order_quantity);
            writer.segment("QTY", &[&["53", quantity, unit]])?;
        }
        writer.segment("PRI", &[&["AAA", &item.net_price, "", "", "1", unit]])?;
        if let Some(list_price) = item.list_price.as_deref().filter(|price| !price.is_empty()) {
            writer.segment("PRI", &[&["AAB", list_price, "", "", "1", unit]])?;
        }
        if !item.vat_rate.is_empty() {
            writer.segment("TAX", &[&["7"], &["VAT"], &[""], &[""], &["", "", "", &item.vat_rate]])?;
        }
    }
    writer.end_message()?;
    writer.finish()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::domain::envelope::Directory;
    use crate::domain::fixtures::{outbound, BRAKE_PADS_GTIN, DEALER_GLN, MANUFACTURER_GLN, OIL_FILTER_GTIN};
    use crate::domain::fixtures::{seg, tags_and_values};

    fn catalogue() -> PriceCatalogue {
        PriceCatalogue {
            document_number: "PC-2024-01".into(),
            issued_on: NaiveDate::from_ymd_opt(2024, 1, 16).unwrap(),
            valid_from: NaiveDate::from_ymd_opt(2024, 2, 1),
            buyer_gln: DEALER_GLN.into(),
            supplier_gln: MANUFACTURER_GLN.into(),
            currency: "RUB".into(),
            full: true,
            items: vec![
                CatalogueItem {
                    action: ItemAction::Added,
                    gtin: BRAKE_PADS_GTIN.into(),
                    sku: "BP-7".into(),
                    name: "Колодки тормозные / Brake pads".into(),
                    unit: "PCE".into(),
                    pack_size: 4,
                    min_order_quantity: 8,
                    order_multiple: 4,
                    net_price: "1250.50".into(),
                    list_price: Some("1400.00".into()),
                    vat_rate: "20".into(),
                },
                CatalogueItem {
                    action: ItemAction::Deleted,
                    gtin: OIL_FILTER_GTIN.into(),
                    sku: String::new(),
                    name: "机油滤清器 Oil filter, long-life, for diesel engines 2.0".into(),
                    unit: String::new(),
                    pack_size: 0,
                    min_order_quantity: 0,
                    order_multiple: 0,
                    net_price: "830".into(),
                    list_price: None,
                    vat_rate: String::new(),
                },
            ],
        }
    }

    #[test]
    fn a_full_catalogue_in_unoc_fits_foreign_names() {
        let bytes = write_pricat(&outbound(Directory::D96A), &catalogue()).unwrap();
        let message = &edifact::parse(&bytes).unwrap().messages[0];
        assert_eq!(message.header.message_type, "PRICAT");
        assert_eq!(message.header.association.as_deref(), Some("EAN006"));
        assert_eq!(
            tags_and_values(message),
            vec![
                seg("BGM", &[&["9"], &["PC-2024-01"], &["9"]]),
                seg("DTM", &[&["137", "202401160905", "203"]]),
                seg("DTM", &[&["194", "20240201", "102"]]),
                seg("NAD", &[&["BY"], &[DEALER_GLN, "", "9"]]),
                seg("NAD", &[&["SU"], &[MANUFACTURER_GLN, "", "9"]]),
                seg("CUX", &[&["2", "RUB", "8"]]),
                seg("PGI", &[&["2"]]),
                seg("LIN", &[&["1"], &["1"], &[BRAKE_PADS_GTIN, "EN"]]),
                seg("PIA", &[&["5"], &["BP-7", "SA"]]),
                seg("IMD", &[&["F"], &[""], &["", "", "", "??????? ????????? / Brake pads"]]),
                seg("QTY", &[&["52", "4", "PCE"]]),
                seg("QTY", &[&["53", "8", "PCE"]]),
                seg("PRI", &[&["AAA", "1250.50", "", "", "1", "PCE"]]),
                seg("PRI", &[&["AAB", "1400.00", "", "", "1", "PCE"]]),
                seg("TAX", &[&["7"], &["VAT"], &[""], &[""], &["", "", "", "20"]]),
                seg("LIN", &[&["2"], &["2"], &[OIL_FILTER_GTIN, "EN"]]),
                seg(
                    "IMD",
                    &[
                        &["F"],
                        &[""],
                        &["", "", "", "????? Oil filter, long-life, for di", "esel engines 2.0"]
                    ]
                ),
                seg("PRI", &[&["AAA", "830", "", "", "1"]]),
            ]
        );
    }

    #[test]
    fn changes_in_unoy_keep_chinese_and_cyrillic_names() {
        let mut outbound = outbound(Directory::D01B);
        outbound.syntax = edifact::SyntaxIdentifier::Unoy;
        outbound.syntax_version = 4;
        let mut changes = catalogue();
        changes.full = false;
        changes.valid_from = None;
        changes.issued_on = NaiveDate::from_ymd_opt(2024, 1, 15).unwrap();
        changes.items[0].action = ItemAction::Changed;
        let bytes = write_pricat(&outbound, &changes).unwrap();
        let message = &edifact::parse(&bytes).unwrap().messages[0];
        assert_eq!(message.header.association.as_deref(), Some("EAN008"));
        assert_eq!(message.segment(0).unwrap().value(3, 1), Some("4"));
        assert_eq!(message.segment(1).unwrap().value(1, 2), Some("20240115"));
        assert_eq!(message.segment(1).unwrap().value(1, 3), Some("102"));
        let names: Vec<String> = message
            .segments()
            .filter(|segment| segment.tag() == "IMD")
            .map(|segment| segment.components(3).skip(3).collect::<String>())
            .collect();
        assert_eq!(
            names,
            [
                "Колодки тормозные / Brake pads",
                "机油滤清器 Oil filter, long-life, for diesel engines 2.0"
            ]
        );
        let actions: Vec<(&str, &str)> = message
            .segments()
            .filter(|segment| segment.tag() == "LIN")
            .map(|segment| (segment.value(2, 1).unwrap(), segment.value(3, 2).unwrap()))
            .collect();
        assert_eq!(actions, [("3", "SRV"), ("2", "SRV")]);
    }

    #[test]
    fn an_empty_catalogue_has_no_product_group() {
        let mut empty = catalogue();
        empty.items.clear();
        let bytes = write_pricat(&outbound(Directory::D96A), &empty).unwrap();
        let message = &edifact::parse(&bytes).unwrap().messages[0];
        let tags: Vec<&str> = message.segments().map(|segment| segment.tag()).collect();
        assert_eq!(tags, ["BGM", "DTM", "DTM", "NAD", "NAD", "CUX"]);
    }
}
