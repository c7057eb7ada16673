"""The staff side in a real browser: a maintainer logs in, uploads a GBK policy document, previews it,
publishes it, and finds it through /api/search and the hotline console (CSRF on, real cookies)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import PAGE_CHANGING, make_driver
from tests.staffkit import MAINTAINER, PASSWORD, make_app, make_settings, serving
from tests.test_admin import NEW_NAME, POLICY, QUERY

pytestmark = [pytest.mark.browser, pytest.mark.slow]
WAIT_S = 60


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    with serving(make_app(make_settings(tmp_path), csrf=True)) as url:
        yield url


def test_maintainer_uploads_previews_publishes_and_finds_it(server: str, tmp_path: Path, shots: Path) -> None:
    document = tmp_path / "upload" / NEW_NAME
    document.parent.mkdir()
    document.write_bytes(POLICY.encode("gbk"))
    driver: webdriver.Chrome = make_driver(1280, 900)
    try:
        driver.get(server + "/admin/")
        WebDriverWait(driver, WAIT_S, ignored_exceptions=PAGE_CHANGING).until(lambda d: "/login" in d.current_url)
        driver.find_element(By.NAME, "username").send_keys(MAINTAINER)
        driver.find_element(By.NAME, "password").send_keys(PASSWORD)
        driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        WebDriverWait(driver, WAIT_S, ignored_exceptions=PAGE_CHANGING).until(
            lambda d: "知识库管理" in d.find_element(By.TAG_NAME, "h1").text
        )

        driver.find_element(By.CSS_SELECTOR, "input[type=file][name=files]").send_keys(str(document))
        driver.find_element(By.XPATH, "//button[text()='上传并预览']").click()
        WebDriverWait(driver, WAIT_S, ignored_exceptions=PAGE_CHANGING).until(
            lambda d: "/admin/uploads/" in d.current_url
        )
        page = driver.find_element(By.TAG_NAME, "main").text
        assert "一次性开业补贴5000元" in page
        assert driver.find_element(By.NAME, "number").get_attribute("value") == "银政发〔2022〕15号"
        driver.save_screenshot(str(shots / "staff-preview.png"))

        driver.find_element(By.XPATH, "//button[starts-with(text(),'发布')]").click()
        WebDriverWait(driver, 180, ignored_exceptions=PAGE_CHANGING).until(
            lambda d: "已发布索引版本" in d.find_element(By.CLASS_NAME, "job-text").text
        )
        driver.save_screenshot(str(shots / "staff-published.png"))

        driver.get(f"{server}/api/search?q={QUERY}&k=3")
        body = json.loads(driver.find_element(By.TAG_NAME, "pre").text)
        assert "一次性开业补贴5000元" in body["results"][0]["text"]

        driver.get(f"{server}/console/?q={QUERY}")
        first = WebDriverWait(driver, WAIT_S, ignored_exceptions=PAGE_CHANGING).until(
            lambda d: d.find_element(By.CSS_SELECTOR, ".result")
        )
        assert "银政发〔2022〕15号" in first.text
        assert first.find_elements(By.TAG_NAME, "mark")
        first.find_element(By.CSS_SELECTOR, "button.copy").click()
        WebDriverWait(driver, 10, ignored_exceptions=PAGE_CHANGING).until(
            lambda d: first.find_element(By.CSS_SELECTOR, ".copied").text  # the row's own (the page has several)
        )
        suggested = driver.find_element(By.CSS_SELECTOR, '[data-testid="composed-answer"]')
        suggested.find_element(By.CSS_SELECTOR, "button.copy").click()
        WebDriverWait(driver, 10, ignored_exceptions=PAGE_CHANGING).until(
            lambda d: suggested.find_element(By.CSS_SELECTOR, ".copied").text
        )
        driver.save_screenshot(str(shots / "staff-console.png"))
    finally:
        driver.quit()
