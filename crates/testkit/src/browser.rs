//! A small W3C WebDriver client for end-to-end tests: Debian's `chromedriver` drives a headless
//! Chromium over the plain HTTP client of [`crate::http`]. Written here because the tests need a
//! dozen commands, and the WebDriver crates bring a second HTTP stack and a runtime of their own.
//!
//! Chromium and its driver are installed from the Debian archive when missing; a browser that
//! cannot be started fails the test rather than skipping it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Mutex;
use std::time::Duration;

use base64::Engine;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::http::request;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Without a CJK font, Chinese pages would show empty boxes in screenshots.
const CJK_FONT: &str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

/// The key under which WebDriver answers with an element's reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Installs Chromium, its driver and a Chinese font from the Debian archive if any is missing;
/// tests running side by side install them once.
fn install_chromium() {
    static INSTALLING: Mutex<()> = Mutex::new(());
    let _one_at_a_time = INSTALLING.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let installed = || {
        [CHROMIUM, CHROMEDRIVER, CJK_FONT]
            .iter()
            .all(|file| Path::new(file).exists())
    };
    if installed() {
        return;
    }
    let install = [
        "install",
        "-y",
        "--no-install-recommends",
        "chromium",
        "chromium-driver",
        "fonts-wqy-microhei",
    ];
    // A fresh machine may not have read the archive's package lists yet.
    if !apt_get(&install) {
        assert!(apt_get(&["update"]), "apt-get update failed");
        assert!(apt_get(&install), "apt-get install {install:?} failed");
    }
    assert!(
        installed(),
        "{CHROMIUM}, {CHROMEDRIVER} or {CJK_FONT} is still missing after apt-get"
    );
}

fn apt_get(args: &[&str]) -> bool {
    let is_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| output.stdout.trim_ascii() == b"0");
    let mut command = if is_root {
        std::process::Command::new("apt-get")
    } else {
        let mut sudo = std::process::Command::new("sudo");
        sudo.arg("apt-get");
        sudo
    };
    command
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()
        .is_ok_and(|status| status.success())
}

/// Where screenshots go: `screenshots/` in the build's target folder, beside `debug/`.
fn screenshot_dir() -> PathBuf {
    let test_binary = std::env::current_exe().expect("the test binary's path");
    // target/debug/deps/suite-… → target
    let target = test_binary.ancestors().nth(3).expect("a target folder");
    target.join("screenshots")
}

/// One headless Chromium, driven by its own `chromedriver`, opening pages of one server.
/// Dropping it closes the browser and stops the driver, also when a test fails.
pub struct Browser {
    driver: Child,
    /// The driver's and Chromium's temporary files, which Chromium leaves behind otherwise.
    temp_dir: PathBuf,
    driver_address: String,
    session: String,
    base_url: String,
}

impl Browser {
    /// A desktop-sized window (1280×900) on `base_url`, such as `http://127.0.0.1:4321`.
    pub async fn start(base_url: &str) -> Browser {
        install_chromium();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let temp_dir = std::env::temp_dir().join(crate::unique_name("dealerport-browser"));
        std::fs::create_dir_all(&temp_dir).expect("a temporary folder for the browser");
        let mut driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .env("TMPDIR", &temp_dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {CHROMEDRIVER}: {e}"));
        let mut lines = BufReader::new(driver.stdout.take().expect("the driver's output")).lines();
        let started = tokio::time::timeout(Duration::from_secs(30), async {
            while let Ok(Some(line)) = lines.next_line().await {
                if line.contains("started successfully") {
                    return true;
                }
            }
            false
        })
        .await;
        assert_eq!(started, Ok(true), "{CHROMEDRIVER} did not start");
        // The driver may go on writing; its output must not fill a pipe nobody reads.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });

        let driver_address = format!("127.0.0.1:{port}");
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                // A fixed browser language: date fields take keys in the order `fill_date` types them.
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1280,900", "--lang=en-US"],
            },
        }}});
        let created = send(&driver_address, "POST", "/session", Some(&capabilities)).await;
        let session = created["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("Chromium did not start: {created}"))
            .to_owned();
        let browser = Browser {
            driver,
            temp_dir,
            driver_address,
            session,
            base_url: base_url.trim_end_matches('/').to_owned(),
        };
        // Finding an element waits this long for it, so a test need not wait for pages itself.
        browser
            .command("POST", "/timeouts", Some(json!({"implicit": 3000})))
            .await;
        browser
    }

    /// Resizes the window, as a phone's (390×844) or back to the desktop's.
    pub async fn resize(&self, width: u32, height: u32) {
        self.command("POST", "/window/rect", Some(json!({"width": width, "height": height})))
            .await;
    }

    /// Opens a page of the server by its path.
    pub async fn open(&self, path: &str) {
        let url = format!("{}{path}", self.base_url);
        self.command("POST", "/url", Some(json!({ "url": url }))).await;
    }

    /// The path and query of the page shown, such as `/orders/7?done=order_confirmed`.
    pub async fn path(&self) -> String {
        let url = self.command("GET", "/url", None).await;
        let url = url.as_str().expect("a URL");
        url.strip_prefix(&self.base_url).unwrap_or(url).to_owned()
    }

    /// The first element matching a CSS selector; fails the test if there is none.
    pub async fn find(&self, css: &str) -> Element<'_> {
        let found = self.command("POST", "/element", Some(by_css(css))).await;
        Element::from_reference(self, &found)
    }

    /// Every element matching a CSS selector, perhaps none.
    pub async fn find_all(&self, css: &str) -> Vec<Element<'_>> {
        let found = self.command("POST", "/elements", Some(by_css(css))).await;
        found
            .as_array()
            .expect("a list of elements")
            .iter()
            .map(|reference| Element::from_reference(self, reference))
            .collect()
    }

    /// The first of `css` whose visible text contains `text`, such as a table row by its SKU.
    pub async fn find_containing(&self, css: &str, text: &str) -> Element<'_> {
        for element in self.find_all(css).await {
            if element.text().await.contains(text) {
                return element;
            }
        }
        panic!(
            "no {css} shows {text:?} on {}:\n{}",
            self.path().await,
            self.text("body").await
        )
    }

    /// Replaces what a field holds with `text`, typed as a user would.
    pub async fn fill(&self, css: &str, text: &str) {
        self.find(css).await.fill(text).await;
    }

    /// Types a day (`2026-12-01`) into a date field the way its picker takes keys.
    pub async fn fill_date(&self, css: &str, iso_day: &str) {
        self.find(css).await.fill_date(iso_day).await;
    }

    /// Clicks a link or a form's button and waits for the page it leads to.
    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await;
    }

    /// Picks the option of a select by the option's value.
    pub async fn select(&self, select_css: &str, value: &str) {
        let option = self.find(&format!("{select_css} option[value=\"{value}\"]")).await;
        option.command("POST", "/click", Some(json!({}))).await;
    }

    /// The visible text of the first element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await
    }

    /// How much wider than its box the first element matching `css` is, in CSS pixels: 0 when
    /// its content fits, more when it must scroll sideways (the page itself: `html`).
    pub async fn overflow_width(&self, css: &str) -> u64 {
        let script = json!({
            "script": "const e = document.querySelector(arguments[0]); return e ? Math.max(0, e.scrollWidth - e.clientWidth) : -1;",
            "args": [css],
        });
        let overflow = self.command("POST", "/execute/sync", Some(script)).await;
        match overflow.as_u64() {
            Some(pixels) => pixels,
            None => panic!("no {css} on {}", self.path().await),
        }
    }

    /// Saves what the window shows as `<name>.png` in [`screenshot_dir`]; returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        save_screenshot(name, &self.command("GET", "/screenshot", None).await)
    }

    /// As [`Browser::screenshot`], of the whole page: the window grows to the page's height
    /// for the picture, since WebDriver only captures what the window shows.
    pub async fn screenshot_whole_page(&self, name: &str) -> PathBuf {
        let window = self.command("GET", "/window/rect", None).await;
        let (width, height) = (
            window["width"].as_u64().expect("width"),
            window["height"].as_u64().expect("height"),
        );
        let script = json!({"script": "return document.documentElement.scrollHeight - window.innerHeight", "args": []});
        let hidden = self
            .command("POST", "/execute/sync", Some(script))
            .await
            .as_u64()
            .unwrap_or(0);
        self.command(
            "POST",
            "/window/rect",
            Some(json!({"width": width, "height": height + hidden})),
        )
        .await;
        let path = self.screenshot(name).await;
        self.command("POST", "/window/rect", Some(json!({"width": width, "height": height})))
            .await;
        path
    }

    /// A command of this session, by its path below `/session/{id}`; returns the answer's value.
    async fn command(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        send(&self.driver_address, method, &path, body.as_ref()).await
    }
}

impl Drop for Browser {
    /// Closes Chromium: without this its processes would outlive the killed driver.
    fn drop(&mut self) {
        let close = format!(
            "DELETE /session/{} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
            self.session, self.driver_address
        );
        if let Ok(mut stream) = std::net::TcpStream::connect(&self.driver_address) {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let _ = stream.write_all(close.as_bytes());
            // The driver answers once the browser is closed (and then keeps the connection).
            let _ = stream.read(&mut [0; 1024]);
        }
        let _ = self.driver.start_kill();
        // The driver deletes the browser's profile as it goes; the rest goes once it has gone.
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while matches!(self.driver.try_wait(), Ok(None)) && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = std::fs::remove_dir_all(&self.temp_dir);
    }
}

/// An element of the page shown.
pub struct Element<'a> {
    browser: &'a Browser,
    id: String,
}

impl<'a> Element<'a> {
    fn from_reference(browser: &'a Browser, reference: &Value) -> Element<'a> {
        let id = reference[ELEMENT_KEY]
            .as_str()
            .unwrap_or_else(|| panic!("not an element: {reference}"))
            .to_owned();
        Element { browser, id }
    }

    async fn command(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = format!("/element/{}{path}", self.id);
        self.browser.command(method, &path, body).await
    }

    /// The first element inside this one matching `css`.
    pub async fn find(&self, css: &str) -> Element<'a> {
        let found = self.command("POST", "/element", Some(by_css(css))).await;
        Element::from_reference(self.browser, &found)
    }

    /// Clicks a link or a form's button and waits for the page it leads to: a click only starts
    /// the navigation, and the page shown is the old one until the new one replaces it.
    pub async fn click(&self) {
        let old_page = self.browser.find("html").await;
        self.command("POST", "/click", Some(json!({}))).await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        let html = format!("/session/{}/element/{}/name", self.browser.session, old_page.id);
        while try_send(&self.browser.driver_address, "GET", &html, None).await.is_ok() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the click led to no new page from {}",
                self.browser.path().await
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn fill(&self, text: &str) {
        self.command("POST", "/clear", Some(json!({}))).await;
        self.command("POST", "/value", Some(json!({ "text": text }))).await;
    }

    /// A date field takes month, day and year as keys in the browser's (US English) order.
    pub async fn fill_date(&self, iso_day: &str) {
        let [year, month, day] = iso_day
            .split('-')
            .collect::<Vec<_>>()
            .try_into()
            .unwrap_or_else(|_| panic!("a day as YYYY-MM-DD: {iso_day}"));
        self.command("POST", "/value", Some(json!({ "text": format!("{month}{day}{year}") })))
            .await;
    }

    pub async fn text(&self) -> String {
        let text = self.command("GET", "/text", None).await;
        text.as_str().expect("text").to_owned()
    }

    /// What a field holds now.
    pub async fn value(&self) -> String {
        let value = self.command("GET", "/property/value", None).await;
        value.as_str().unwrap_or_default().to_owned()
    }
}

fn save_screenshot(name: &str, encoded: &Value) -> PathBuf {
    let png = base64::engine::general_purpose::STANDARD
        .decode(encoded.as_str().expect("a base64 screenshot"))
        .expect("valid base64");
    let dir = screenshot_dir();
    std::fs::create_dir_all(&dir).expect("the screenshot folder");
    let path = dir.join(format!("{name}.png"));
    std::fs::write(&path, png).expect("write the screenshot");
    path
}

fn by_css(css: &str) -> Value {
    json!({"using": "css selector", "value": css})
}

/// Sends one WebDriver request and returns the answer's `value`; an error fails the test with
/// the driver's message.
async fn send(driver: &str, method: &str, path: &str, body: Option<&Value>) -> Value {
    try_send(driver, method, path, body)
        .await
        .unwrap_or_else(|message| panic!("WebDriver {method} {path} {}: {message}", body.unwrap_or(&Value::Null)))
}

/// As [`send`], with the driver's error message as the error.
async fn try_send(driver: &str, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
    let body = body.map(Value::to_string).unwrap_or_default();
    let response = request(
        driver,
        method,
        path,
        &[("Content-Type", "application/json; charset=utf-8")],
        &body,
    )
    .await;
    let answer: Value = serde_json::from_str(&response.body)
        .unwrap_or_else(|e| panic!("WebDriver {method} {path}: not JSON ({e}): {}", response.body));
    match response.status {
        200 => Ok(answer["value"].clone()),
        _ => Err(answer["value"]["message"].as_str().unwrap_or_default().to_owned()),
    }
}
