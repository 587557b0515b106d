use axum::response::Response;
use crate::error::WebError;
use crate::session::PageUser;
pub async fn list(_user: PageUser) -> Result<Response, WebError> { Err(platform::Failure::NotFound { entity: "page" }.into()) }
pub async fn create(_user: PageUser) -> Result<Response, WebError> { Err(platform::Failure::NotFound { entity: "page" }.into()) }
pub async fn new_form(_user: PageUser) -> Result<Response, WebError> { Err(platform::Failure::NotFound { entity: "page" }.into()) }
pub async fn edit_form(_user: PageUser) -> Result<Response, WebError> { Err(platform::Failure::NotFound { entity: "page" }.into()) }
pub async fn update(_user: PageUser) -> Result<Response, WebError> { Err(platform::Failure::NotFound { entity: "page" }.into()) }
pub async fn reset_password(_user: PageUser) -> Result<Response, WebError> { Err(platform::Failure::NotFound { entity: "page" }.into()) }
