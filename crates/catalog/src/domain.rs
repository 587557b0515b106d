//! Catalog types and rules, free of SQL and HTTP.

use platform::failure::Checks;
use platform::{FieldError, Gtin};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const NAME_MAX: usize = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProductStatus {
    Active,
    Discontinued,
    Blocked,
}

impl ProductStatus {
    pub const ALL: [ProductStatus; 3] = [
        ProductStatus::Active,
        ProductStatus::Discontinued,
        ProductStatus::Blocked,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ProductStatus::Active => "active",
            ProductStatus::Discontinued => "discontinued",
            ProductStatus::Blocked => "blocked",
        }
    }

    pub fn parse(code: &str) -> Option<ProductStatus> {
        ProductStatus::ALL.into_iter().find(|s| s.code() == code.trim())
    }

    /// Only active products can be ordered; discontinued ones stay visible for reference.
    pub fn orderable(self) -> bool {
        self == ProductStatus::Active
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CategoryInput {
    pub code: String,
    pub name_en: String,
    pub name_ru: String,
    pub name_zh: String,
    /// The category it sits under; empty for a top-level category.
    #[serde(default)]
    pub parent_id: Option<i64>,
}

impl CategoryInput {
    pub fn check(&self) -> Result<(), platform::Failure> {
        let mut checks = Checks::new();
        checks.code("code", &self.code, 40);
        checks.text("name_en", &self.name_en, 200);
        checks.text("name_ru", &self.name_ru, 200);
        checks.text("name_zh", &self.name_zh, 200);
        checks.finish()
    }
}

/// Whether putting `category` under `new_parent` would make it its own ancestor. `parents` holds
/// every category of the tenant with its parent.
pub fn would_cycle(parents: &[(i64, Option<i64>)], category: i64, new_parent: Option<i64>) -> bool {
    let mut current = new_parent;
    // A tree of n categories is at most n deep; more steps mean the stored tree already loops.
    for _ in 0..=parents.len() {
        match current {
            None => return false,
            Some(id) if id == category => return true,
            Some(id) => current = parents.iter().find(|(c, _)| *c == id).and_then(|(_, p)| *p),
        }
    }
    true
}

/// A category in the tree: how deep it sits and how many products it holds itself.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryNode {
    #[serde(flatten)]
    pub category: Category,
    pub depth: usize,
    pub product_count: i64,
}

/// The categories in tree order: each parent followed by its children, by code.
pub fn tree_order(categories: Vec<(Category, i64)>) -> Vec<CategoryNode> {
    fn visit(parent: Option<i64>, depth: usize, all: &[(Category, i64)], out: &mut Vec<CategoryNode>) {
        let mut children: Vec<&(Category, i64)> = all.iter().filter(|(c, _)| c.parent_id == parent).collect();
        children.sort_by(|a, b| a.0.code.cmp(&b.0.code));
        for (category, count) in children {
            out.push(CategoryNode {
                category: category.clone(),
                depth,
                product_count: *count,
            });
            // Depth is bounded: a loop cannot be stored, since moves are checked.
            if depth < all.len() {
                visit(Some(category.id), depth + 1, all, out);
            }
        }
    }
    let mut out = Vec::with_capacity(categories.len());
    visit(None, 0, &categories, &mut out);
    out
}

/// The categories whose code or name in any language holds the search, each with its
/// ancestors, still in tree order. An empty search keeps them all.
pub fn search_tree(tree: Vec<CategoryNode>, search: &str) -> Vec<CategoryNode> {
    platform::tree::matches_with_ancestors(
        tree,
        |node| node.category.id,
        |node| node.category.parent_id,
        |node| {
            let c = &node.category;
            platform::tree::text_matches(search, &[&c.code, &c.name_en, &c.name_ru, &c.name_zh])
        },
    )
}

/// Units of measure, as UN/ECE Recommendation 20 codes, which EDI messages carry too.
pub const UNITS: [&str; 9] = ["PCE", "BO", "CS", "CT", "PK", "SET", "KGM", "LTR", "PF"];

/// A product as an import, a form or the API gives it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ProductInput {
    pub sku: String,
    pub gtin: String,
    #[serde(default)]
    pub category_code: Option<String>,
    pub name_en: String,
    pub name_ru: String,
    pub name_zh: String,
    #[serde(default)]
    pub description_en: String,
    #[serde(default)]
    pub description_ru: String,
    #[serde(default)]
    pub description_zh: String,
    pub unit: String,
    pub pack_size: i64,
    #[serde(default = "one")]
    pub min_order_quantity: i64,
    #[serde(default = "one")]
    pub order_multiple: i64,
    /// VAT in percent, such as "20" or "9.5".
    #[serde(default = "default_vat")]
    pub vat_rate: String,
    #[serde(default)]
    pub weight_grams: Option<i64>,
    #[serde(default)]
    pub volume_ml: Option<i64>,
    #[serde(default)]
    pub status: Option<String>,
    /// Whether every shipped unit names its batch and expiry date.
    #[serde(default)]
    pub lot_tracked: bool,
    /// The code of the sales organisation that sells it; none where the tenant has one.
    #[serde(default)]
    pub sales_organisation_code: Option<String>,
}

/// An empty product with the same defaults a JSON body without the optional fields gets.
impl Default for ProductInput {
    fn default() -> Self {
        ProductInput {
            sku: String::new(),
            gtin: String::new(),
            category_code: None,
            name_en: String::new(),
            name_ru: String::new(),
            name_zh: String::new(),
            description_en: String::new(),
            description_ru: String::new(),
            description_zh: String::new(),
            unit: String::new(),
            pack_size: 1,
            min_order_quantity: one(),
            order_multiple: one(),
            vat_rate: default_vat(),
            weight_grams: None,
            volume_ml: None,
            status: None,
            lot_tracked: false,
            sales_organisation_code: None,
        }
    }
}

fn one() -> i64 {
    1
}

fn default_vat() -> String {
    "20".to_owned()
}

/// A VAT rate in percent with at most two decimals, as basis points: "20" is 2000.
pub fn parse_vat_rate(text: &str) -> Option<i64> {
    platform::money::parse_percent(text).filter(|basis_points| *basis_points <= 10_000)
}

pub struct ValidProduct {
    pub sku: String,
    pub gtin: Gtin,
    pub category_code: Option<String>,
    pub name_en: String,
    pub name_ru: String,
    pub name_zh: String,
    pub description_en: String,
    pub description_ru: String,
    pub description_zh: String,
    pub unit: String,
    pub pack_size: i64,
    pub min_order_quantity: i64,
    pub order_multiple: i64,
    pub vat_rate_bp: i64,
    pub weight_grams: Option<i64>,
    pub volume_ml: Option<i64>,
    pub status: ProductStatus,
    pub lot_tracked: bool,
    pub sales_organisation_code: Option<String>,
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
        let description_en = checks.optional_text(&field("description_en"), Some(&self.description_en), 4000);
        let description_ru = checks.optional_text(&field("description_ru"), Some(&self.description_ru), 4000);
        let description_zh = checks.optional_text(&field("description_zh"), Some(&self.description_zh), 4000);
        let unit = self.unit.trim().to_ascii_uppercase();
        if !UNITS.contains(&unit.as_str()) {
            checks.add(FieldError::new(field("unit"), "product.unit_unknown").with("units", UNITS.join(", ")));
        }
        for (name, value) in [
            ("pack_size", self.pack_size),
            ("min_order_quantity", self.min_order_quantity),
            ("order_multiple", self.order_multiple),
        ] {
            if value < 1 {
                checks.add(FieldError::new(field(name), "field.positive"));
            }
        }
        for (name, value) in [("weight_grams", self.weight_grams), ("volume_ml", self.volume_ml)] {
            if value.is_some_and(|v| v < 1) {
                checks.add(FieldError::new(field(name), "field.positive"));
            }
        }
        let vat_rate_bp = parse_vat_rate(&self.vat_rate);
        if vat_rate_bp.is_none() {
            checks.add(FieldError::new(field("vat_rate"), "product.vat_rate_invalid"));
        }
        let status = match self.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => ProductStatus::Active,
            Some(code) => ProductStatus::parse(code).unwrap_or_else(|| {
                checks.add(FieldError::new(field("status"), "product.status_invalid"));
                ProductStatus::Active
            }),
        };
        Some(ValidProduct {
            sku,
            gtin: gtin?,
            category_code: non_empty(&self.category_code),
            name_en,
            name_ru,
            name_zh,
            description_en: description_en.unwrap_or_default(),
            description_ru: description_ru.unwrap_or_default(),
            description_zh: description_zh.unwrap_or_default(),
            unit,
            pack_size: self.pack_size,
            min_order_quantity: self.min_order_quantity,
            order_multiple: self.order_multiple,
            vat_rate_bp: vat_rate_bp.unwrap_or_default(),
            weight_grams: self.weight_grams,
            volume_ml: self.volume_ml,
            status,
            lot_tracked: self.lot_tracked,
            sales_organisation_code: non_empty(&self.sales_organisation_code),
        })
    }
}

fn non_empty(code: &Option<String>) -> Option<String> {
    code.as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
}

/// What ordering checks of a product the dealer may see: its codes, its category (for
/// promotions), its unit and its quantity rules; and what its order line shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderableItem {
    pub product_id: i64,
    pub sku: String,
    pub gtin: String,
    /// In the reader's language.
    pub name: String,
    pub vat_rate_bp: i64,
    pub category_id: Option<i64>,
    pub unit: String,
    pub pack_size: i64,
    pub status: ProductStatus,
    pub min_order_quantity: i64,
    pub order_multiple: i64,
}

/// A product in a dealer's catalog, named in the reader's language.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CatalogItem {
    pub product_id: i64,
    pub sku: String,
    pub gtin: String,
    pub name: String,
    pub category_id: Option<i64>,
    pub unit: String,
    pub pack_size: i64,
    pub min_order_quantity: i64,
    pub order_multiple: i64,
    /// VAT in basis points: 2000 is 20 %.
    pub vat_rate_bp: i64,
    pub status: ProductStatus,
    pub favorite: bool,
    /// The product's first picture, for a thumbnail.
    pub image_id: Option<i64>,
    /// Whether the manufacturer's sellable warehouses can supply it; dealers see this, not the
    /// quantities.
    pub stock: StockIndicator,
}

/// In stock, low, or out, from what all sellable warehouses can still promise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StockIndicator {
    InStock,
    Low,
    Out,
}

impl StockIndicator {
    /// Low means below the warehouses' safety stock or, where none is set, below ten minimum
    /// orders.
    pub fn of(available: i64, safety_stock: i64, min_order_quantity: i64) -> StockIndicator {
        let low_below = if safety_stock > 0 {
            safety_stock
        } else {
            10 * min_order_quantity.max(1)
        };
        if available < min_order_quantity.max(1) {
            StockIndicator::Out
        } else if available < low_below {
            StockIndicator::Low
        } else {
            StockIndicator::InStock
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            StockIndicator::InStock => "in_stock",
            StockIndicator::Low => "low",
            StockIndicator::Out => "out",
        }
    }
}

/// What an order or cart line shows of its product.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LineFacts {
    pub sku: String,
    pub name: String,
    /// VAT in basis points: 2000 is 20 %.
    pub vat_rate_bp: i64,
}

impl OrderableItem {
    pub fn line_facts(&self) -> LineFacts {
        LineFacts {
            sku: self.sku.clone(),
            name: self.name.clone(),
            vat_rate_bp: self.vat_rate_bp,
        }
    }
}

#[cfg(test)]
mod stock_tests {
    use super::*;

    #[test]
    fn stock_shows_as_in_stock_low_or_out() {
        assert_eq!(StockIndicator::of(0, 0, 12), StockIndicator::Out);
        assert_eq!(
            StockIndicator::of(11, 0, 12),
            StockIndicator::Out,
            "not even one minimum order"
        );
        assert_eq!(
            StockIndicator::of(60, 0, 12),
            StockIndicator::Low,
            "below ten minimum orders"
        );
        assert_eq!(StockIndicator::of(120, 0, 12), StockIndicator::InStock);
        assert_eq!(
            StockIndicator::of(120, 500, 12),
            StockIndicator::Low,
            "below the safety stock"
        );
    }
}

#[cfg(test)]
mod category_tests {
    use super::*;

    #[test]
    fn a_category_cannot_move_under_itself_or_its_descendants() {
        let parents = [(1, None), (2, Some(1)), (3, Some(2)), (4, None)];
        assert!(would_cycle(&parents, 1, Some(1)));
        assert!(would_cycle(&parents, 1, Some(3)), "3 lies under 2, which lies under 1");
        assert!(!would_cycle(&parents, 3, Some(4)));
        assert!(!would_cycle(&parents, 2, None));
    }

    fn category(id: i64, parent_id: Option<i64>, code: &str) -> (Category, i64) {
        (
            Category {
                id,
                parent_id,
                code: code.into(),
                name_en: code.into(),
                name_ru: code.into(),
                name_zh: code.into(),
            },
            0,
        )
    }

    #[test]
    fn the_tree_lists_each_parent_before_its_children() {
        let nodes = tree_order(vec![
            category(3, Some(1), "B-CHILD"),
            category(1, None, "B"),
            category(2, None, "A"),
            category(4, Some(3), "B-GRANDCHILD"),
        ]);
        let order: Vec<(&str, usize)> = nodes.iter().map(|n| (n.category.code.as_str(), n.depth)).collect();
        assert_eq!(order, vec![("A", 0), ("B", 0), ("B-CHILD", 1), ("B-GRANDCHILD", 2)]);
    }
}

/// A product picture as stored: what it is (by its first bytes, never by what the client says) and
/// where it stands among the product's pictures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProductImage {
    pub id: i64,
    pub product_id: i64,
    pub content_type: String,
    pub position: i64,
    pub size_bytes: i64,
}

pub const IMAGE_MAX_BYTES: usize = platform::pictures::MAX_BYTES;
pub const IMAGES_PER_PRODUCT: usize = 8;

/// A product with everything a product page shows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Product {
    pub id: i64,
    pub sku: String,
    pub gtin: String,
    pub category_id: Option<i64>,
    pub name_en: String,
    pub name_ru: String,
    pub name_zh: String,
    pub description_en: String,
    pub description_ru: String,
    pub description_zh: String,
    pub unit: String,
    pub pack_size: i64,
    pub min_order_quantity: i64,
    pub order_multiple: i64,
    pub vat_rate_bp: i64,
    pub weight_grams: Option<i64>,
    pub volume_ml: Option<i64>,
    pub status: ProductStatus,
    pub lot_tracked: bool,
    pub sales_organisation_id: Option<i64>,
}

impl Category {
    pub fn name(&self, locale: platform::Locale) -> &str {
        match locale {
            platform::Locale::En => &self.name_en,
            platform::Locale::Ru => &self.name_ru,
            platform::Locale::Zh => &self.name_zh,
        }
    }
}

impl Product {
    pub fn name(&self, locale: platform::Locale) -> &str {
        match locale {
            platform::Locale::En => &self.name_en,
            platform::Locale::Ru => &self.name_ru,
            platform::Locale::Zh => &self.name_zh,
        }
    }

    pub fn description(&self, locale: platform::Locale) -> &str {
        match locale {
            platform::Locale::En => &self.description_en,
            platform::Locale::Ru => &self.description_ru,
            platform::Locale::Zh => &self.description_zh,
        }
    }
}

/// One of the manufacturer's legal entities that sell and invoice products.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SalesOrganisation {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// What the sales organisation list shows.
#[derive(Debug, Clone, Default)]
pub struct SalesOrganisationFilter {
    /// Part of the code or name, any letter case.
    pub search: Option<String>,
    /// Parsed with [`crate::queries::SALES_ORGANISATION_SORT`].
    pub sort: platform::Sort,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct SalesOrganisationInput {
    pub code: String,
    pub name: String,
}

impl SalesOrganisationInput {
    pub fn check(&self) -> Result<(), platform::Failure> {
        let mut checks = Checks::new();
        checks.code("code", &self.code, 20);
        checks.text("name", &self.name, 200);
        checks.finish()
    }
}

/// What a product refers to by code in its input, resolved to ids.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProductReferences {
    pub category_id: Option<i64>,
    pub sales_organisation_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Category {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub code: String,
    pub name_en: String,
    pub name_ru: String,
    pub name_zh: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CatalogSort {
    #[default]
    Name,
    Sku,
}

/// What the manufacturer's product list shows; names sort in `locale`.
#[derive(Debug, Clone, Default)]
pub struct ProductFilter {
    /// Part of the SKU, GTIN or a name, any letter case.
    pub search: Option<String>,
    pub category_id: Option<i64>,
    pub status: Option<ProductStatus>,
    pub locale: platform::Locale,
    /// Parsed with [`crate::queries::PRODUCT_SORT`].
    pub sort: platform::Sort,
}

/// What the list of products nobody at a dealer opened shows; names sort in the reader's
/// language.
#[derive(Debug, Clone, Default)]
pub struct NeverViewedFilter {
    /// Part of the SKU, GTIN or a name, any letter case.
    pub search: Option<String>,
    /// Parsed with [`crate::queries::PRODUCT_SORT`].
    pub sort: platform::Sort,
}

#[derive(Debug, Clone, Default)]
pub struct CatalogFilter {
    /// Part of a name in any language, a SKU or a GTIN.
    pub search: Option<String>,
    pub category_id: Option<i64>,
    pub favorites_only: bool,
    pub sort: CatalogSort,
}

/// Who a publication is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PublicationAudience {
    All,
    Dealer,
    Group,
    Tier,
    Region,
}

impl PublicationAudience {
    pub fn code(self) -> &'static str {
        match self {
            PublicationAudience::All => "all",
            PublicationAudience::Dealer => "dealer",
            PublicationAudience::Group => "group",
            PublicationAudience::Tier => "tier",
            PublicationAudience::Region => "region",
        }
    }
}

/// Publishes (or withdraws) products, named one by one or as a whole category.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PublicationInput {
    #[serde(default)]
    pub product_ids: Vec<i64>,
    #[serde(default)]
    pub category_id: Option<i64>,
    pub audience: PublicationAudience,
    /// The dealer, group, tier (1 or 2) or region; empty for everyone.
    #[serde(default)]
    pub audience_id: Option<i64>,
}

impl PublicationInput {
    pub fn check(&self) -> Result<i64, platform::Failure> {
        let mut checks = Checks::new();
        if self.product_ids.is_empty() && self.category_id.is_none() {
            checks.add(FieldError::new("product_ids", "publication.nothing_chosen"));
        }
        let audience_id = match (self.audience, self.audience_id) {
            (PublicationAudience::All, None) => 0,
            (PublicationAudience::All, Some(_)) => {
                checks.add(FieldError::new("audience_id", "price_list.base_has_no_audience"));
                0
            }
            (PublicationAudience::Tier, Some(tier)) if tier != 1 && tier != 2 => {
                checks.add(FieldError::new("audience_id", "dealer.tier_invalid"));
                0
            }
            (_, Some(id)) => id,
            (_, None) => {
                checks.add(FieldError::new("audience_id", "field.required"));
                0
            }
        };
        checks.finish()?;
        Ok(audience_id)
    }
}

/// Who opened a product how often, for the manufacturer's catalog statistics.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProductView {
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub user_login: String,
    pub dealer_code: String,
    pub view_count: i64,
    pub last_viewed_at: chrono::DateTime<chrono::Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vat_rates_are_percent_with_two_decimals_at_most() {
        assert_eq!(parse_vat_rate("20"), Some(2000));
        assert_eq!(parse_vat_rate("9,5"), Some(950));
        assert_eq!(parse_vat_rate("13%"), Some(1300));
        assert_eq!(parse_vat_rate("0"), Some(0));
        assert_eq!(parse_vat_rate("12.345"), None);
        assert_eq!(parse_vat_rate("-5"), None);
        assert_eq!(parse_vat_rate("101"), None);
        assert_eq!(parse_vat_rate(""), None);
    }
}
