"""The widget in a real browser against the real stack: ask, answer, buttons, citations, reload, feedback."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import PAGE_CHANGING, make_driver
from tests.stack import Stack

pytestmark = pytest.mark.browser
WAIT_S = 60


def by_testid(driver: webdriver.Chrome, name: str) -> list[WebElement]:
    return driver.find_elements(By.CSS_SELECTOR, f'[data-testid="{name}"]')


def bot_messages(driver: webdriver.Chrome) -> list[WebElement]:
    return by_testid(driver, "message-bot")


def waiting(driver: webdriver.Chrome) -> bool:
    """True while the typing indicator is shown."""
    return any(t.is_displayed() for t in by_testid(driver, "typing"))


def send(driver: webdriver.Chrome, text: str) -> list[WebElement]:
    """Type a message, press Enter, wait for the bot's reply; return the new bot messages."""
    before = len(bot_messages(driver))
    box = by_testid(driver, "input")[0]
    box.send_keys(text)
    box.send_keys(Keys.ENTER)
    WebDriverWait(driver, WAIT_S, ignored_exceptions=PAGE_CHANGING).until(
        lambda d: len(bot_messages(d)) > before and not waiting(d)
    )
    return bot_messages(driver)[before:]


def open_widget(driver: webdriver.Chrome, url: str) -> None:
    driver.get(url + "/")
    WebDriverWait(driver, WAIT_S, ignored_exceptions=PAGE_CHANGING).until(lambda d: by_testid(d, "launcher"))
    by_testid(driver, "launcher")[0].click()
    WebDriverWait(driver, WAIT_S, ignored_exceptions=PAGE_CHANGING).until(
        lambda d: by_testid(d, "panel") and by_testid(d, "panel")[0].is_displayed()
    )


def test_a_citizen_conversation_in_the_widget(live_stack: Stack, browser: webdriver.Chrome, shots: Path) -> None:
    open_widget(browser, live_stack.url)
    assert browser.switch_to.active_element == by_testid(browser, "input")[0], "focus moves into the chat"

    first = send(browser, "毕业一年了还没找到工作，在广东有什么补贴")
    assert first[-1].text.strip()
    # The follow-up: the bot either asks for a missing fact or offers next steps; answer it in words.
    second = send(browser, "我是高校毕业生")
    assert second[-1].text.strip()

    # A number question ("毕业几年了") has no buttons: skip such questions until buttons are offered
    # (a yes/no question or the results always carry them).
    for _ in range(4):
        enabled = [b for b in by_testid(browser, "quick-reply") if b.is_enabled()]
        if enabled:
            break
        send(browser, "跳过")
    assert enabled, f"the answers offer quick-reply buttons: {[m.text[:80] for m in bot_messages(browser)][-3:]}"
    title = enabled[0].text
    before = len(bot_messages(browser))
    enabled[0].click()
    WebDriverWait(browser, WAIT_S, ignored_exceptions=PAGE_CHANGING).until(
        lambda d: len(bot_messages(d)) > before and not waiting(d)
    )
    assert by_testid(browser, "message-user")[-1].text.strip() == title, "the button's title is shown as my message"

    by_testid(browser, "new-chat")[0].click()
    WebDriverWait(browser, WAIT_S, ignored_exceptions=PAGE_CHANGING).until(lambda d: not by_testid(d, "message-user"))
    answer = send(browser, "灵活就业人员可以参加养老保险吗")
    cards = [c for m in answer for c in m.find_elements(By.CSS_SELECTOR, '[data-testid="citation"]')]
    transcript = [m.text[:150] for m in bot_messages(browser)][-5:]
    assert cards, f"a policy answer carries source cards: {transcript}"
    assert len(cards) <= 2, "at most two quoted provisions"
    summary = cards[0].find_element(By.TAG_NAME, "summary")
    assert "来源" in summary.text
    status = cards[0].find_element(By.CSS_SELECTOR, '[data-testid="citation-status"]').text
    assert "已结束" in status or "已过" in status or "规划期" in status, status
    assert "来源：" not in answer[0].find_element(By.CSS_SELECTOR, ".pb-bubble").text, "each source is shown once"
    summary.click()
    assert cards[0].get_attribute("open") is not None
    assert "12333" in answer[0].text
    browser.save_screenshot(str(shots / "desktop-conversation.png"))

    up = answer[0].find_element(By.CSS_SELECTOR, '[data-testid="feedback-up"]')
    up.click()
    WebDriverWait(browser, 10, ignored_exceptions=PAGE_CHANGING).until(
        lambda d: up.get_attribute("aria-pressed") == "true"
    )

    count_user = len(by_testid(browser, "message-user"))
    browser.refresh()
    WebDriverWait(browser, WAIT_S, ignored_exceptions=PAGE_CHANGING).until(lambda d: by_testid(d, "launcher"))
    if not by_testid(browser, "panel") or not by_testid(browser, "panel")[0].is_displayed():
        by_testid(browser, "launcher")[0].click()
    WebDriverWait(browser, WAIT_S, ignored_exceptions=PAGE_CHANGING).until(
        lambda d: len(by_testid(d, "message-user")) == count_user
    )
    restored = [b for b in by_testid(browser, "feedback-up") if b.get_attribute("aria-pressed") == "true"]
    assert restored, "the 👍 given before the reload is still shown"

    bubble = by_testid(browser, "message-bot")[-1]
    normal = float(bubble.value_of_css_property("font-size").removesuffix("px"))
    by_testid(browser, "large-text")[0].click()
    large = float(bubble.value_of_css_property("font-size").removesuffix("px"))
    assert large >= normal * 1.25
    assert by_testid(browser, "large-text")[0].get_attribute("aria-pressed") == "true"
    browser.save_screenshot(str(shots / "desktop-large-text.png"))

    by_testid(browser, "input")[0].send_keys(Keys.ESCAPE)
    WebDriverWait(browser, 10, ignored_exceptions=PAGE_CHANGING).until(
        lambda d: not by_testid(d, "panel")[0].is_displayed()
    )
    assert browser.switch_to.active_element == by_testid(browser, "launcher")[0], "Esc returns focus to the launcher"


def test_phone_layout_and_safe_rendering(live_stack: Stack, shots: Path) -> None:
    phone = make_driver(390, 844)
    try:
        open_widget(phone, live_stack.url)
        panel = by_testid(phone, "panel")[0]
        assert panel.size["width"] >= 380, "the panel takes the whole phone width"
        send(phone, "<img src=x onerror=\"document.title='pwned'\">创业担保贷款怎么申请")
        assert phone.title != "pwned"
        assert not phone.find_elements(By.CSS_SELECTOR, ".pb-root img[src='x']"), "user text is never parsed as HTML"
        assert "<img" in by_testid(phone, "message-user")[-1].text
        phone.save_screenshot(str(shots / "phone-conversation.png"))
    finally:
        phone.quit()
