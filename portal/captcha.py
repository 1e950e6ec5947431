"""A server-side arithmetic CAPTCHA for the login page: a PNG drawn with Pillow, the answer in the session.

No external service. Each image replaces the previous challenge; each check consumes it, right or
wrong, so one image cannot be tried twice. Challenges expire after ``TTL_SECONDS``.
"""

import io
import secrets
import time

from PIL import Image, ImageDraw, ImageFilter, ImageFont

SESSION_KEY = "login_captcha"
TTL_SECONDS = 300
WIDTH, HEIGHT = 160, 56

ERR_CAPTCHA_REQUIRED = "该账号近期登录失败次数较多，请输入验证码"
ERR_CAPTCHA_WRONG = "验证码错误或已过期，请重新输入"


def _challenge():
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    if secrets.randbelow(2):
        return f"{a} + {b} = ?", str(a + b)
    a, b = max(a, b), min(a, b)
    return f"{a} - {b} = ?", str(a - b)


def _font():
    try:
        return ImageFont.load_default(size=30)
    except (TypeError, OSError):  # Pillow without FreeType: the small bitmap font
        return ImageFont.load_default()


def new_image(session):
    """A new challenge: stored in the session; returns the PNG bytes showing it."""
    text, answer = _challenge()
    session[SESSION_KEY] = {"answer": answer, "expires": time.time() + TTL_SECONDS}
    image = Image.new("RGB", (WIDTH, HEIGHT), (245, 246, 248))
    draw = ImageDraw.Draw(image)
    for _ in range(6):  # noise lines
        points = [(secrets.randbelow(WIDTH), secrets.randbelow(HEIGHT)) for _ in range(2)]
        draw.line(points, fill=(150 + secrets.randbelow(80),) * 3, width=1)
    x = 10
    font = _font()
    for char in text:
        y = 8 + secrets.randbelow(10)
        draw.text((x, y), char, font=font, fill=(30 + secrets.randbelow(60), 40, 90 + secrets.randbelow(80)))
        x += 18 if char != " " else 8
    for _ in range(120):  # speckles
        draw.point((secrets.randbelow(WIDTH), secrets.randbelow(HEIGHT)), fill=(120, 120, 120))
    image = image.filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def check(session, given):
    """Whether ``given`` answers the current challenge. The challenge is consumed either way."""
    stored = session.pop(SESSION_KEY, None)
    if not stored or not given or time.time() > stored.get("expires", 0):
        return False
    return secrets.compare_digest(str(given).strip(), stored["answer"])
