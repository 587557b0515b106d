//! Catalog types and rules, free of SQL and HTTP.

use platform::failure::Checks;
use platform::{FieldError, Gtin};
use serde::{Deserialize, Serialize};

pub const NAME_MAX: usize = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductStatus {
    Active,
    Discontinued,
    Blocked,
}

impl ProductStatus {
    pub fn code(self) -> &'static str {
        match self {
            ProductStatus::Active => "active",
            ProductStatus::Discontinued => "discontinued",
            ProductStatus::Blocked => "blocked",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct CategoryInput {
    pub code: String,
    pub name_en: String,
    pub name_ru: String,
    pub name_zh: String,
}

/// A product as an import or a form gives it.
#[derive(Debug, Clone, Deserialize)]
pub struct ProductInput {
    pub sku: String,
    pub gtin: String,
    pub category_code: Option<String>,
    pub name_en: String,
    pub name_ru: String,
    pub name_zh: String,
    pub unit: String,
    pub pack_size: i64,
}

pub struct ValidProduct {
    pub sku: String,
    pub gtin: Gtin,
    pub category_code: Option<String>,
    pub name_en: String,
    pub name_ru: String,
    pub name_zh: String,
    pub unit: String,
    pub pack_size: i64,
}

impl ValidProduct {
    /// SKU, GTIN and every name, lower-cased, so one column answers a search in any language.
    pub fn search_text(&self) -> String {
        format!(
            "{} {} {} {} {}",
            self.sku, self.gtin, self.name_en, self.name_ru, self.name_zh
        )
        .to_lowercase()
    }
}

impl ProductInput {
    /// Checks one product; `row` prefixes field names so an import names the row that is wrong.
    pub fn check(&self, checks: &mut Checks, row: Option<usize>) -> Option<ValidProduct> {
        let field = |name: &str| match row {
            Some(row) => format!("rows[{row}].{name}"),
            None => name.to_owned(),
        };
        let sku = checks.code(&field("sku"), &self.sku, 40);
        let gtin = match Gtin::parse(&self.gtin) {
            Ok(gtin) => Some(gtin),
            Err(error) => {
                checks.identifier(&field("gtin"), &error);
                None
            }
        };
        let name_en = checks.text(&field("name_en"), &self.name_en, NAME_MAX);
        let name_ru = checks.text(&field("name_ru"), &self.name_ru, NAME_MAX);
        let name_zh = checks.text(&field("name_zh"), &self.name_zh, NAME_MAX);
        let unit = checks.code(&field("unit"), &self.unit, 10);
        if self.pack_size < 1 {
            checks.add(FieldError::new(field("pack_size"), "field.positive"));
        }
        Some(ValidProduct {
            sku,
            gtin: gtin?,
            category_code: self.category_code.clone(),
            name_en,
            name_ru,
            name_zh,
            unit,
            pack_size: self.pack_size,
        })
    }
}
