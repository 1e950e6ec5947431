"""A server-side CAPTCHA for the login page: four characters drawn with Pillow, the answer in the session.

No external service. Each image replaces the previous challenge; each check consumes it, right or
wrong, so one image cannot be tried twice. Challenges expire after ``TTL_SECONDS``. Four characters
from an alphabet without look-alikes make a blind guess succeed once in about 200,000 tries (an
arithmetic question would let a script that guesses ``1``…``18`` through every tenth time). Answers are
not case-sensitive.
"""

import io
import secrets
import time

from PIL import Image, ImageDraw, ImageFilter, ImageFont

SESSION_KEY = "login_captcha"
TTL_SECONDS = 300
WIDTH, HEIGHT = 160, 56
ALPHABET = "ACDEFHJKLMNPRTUVWXY3479"  # no 0/O, 1/I, 2/Z, 5/S, 6/G, 8/B look-alikes
LENGTH = 4

ERR_CAPTCHA_REQUIRED = "该账号近期登录失败次数较多，请输入验证码"
ERR_CAPTCHA_WRONG = "验证码错误或已过期，请重新输入"


def _challenge():
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def _font(size):
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow without FreeType: the small bitmap font
        return ImageFont.load_default()


def new_image(session):
    """A new challenge: stored in the session; returns the PNG bytes showing it."""
    answer = _challenge()
    session[SESSION_KEY] = {"answer": answer, "expires": time.time() + TTL_SECONDS}
    image = Image.new("RGB", (WIDTH, HEIGHT), (245, 246, 248))
    draw = ImageDraw.Draw(image)
    for _ in range(8):  # noise lines
        points = [(secrets.randbelow(WIDTH), secrets.randbelow(HEIGHT)) for _ in range(2)]
        draw.line(points, fill=(140 + secrets.randbelow(90),) * 3, width=1)
    font = _font(34)
    x = 12
    for char in answer:  # each character on its own tile, turned a little, at a random height
        tile = Image.new("RGBA", (40, 48), (0, 0, 0, 0))
        colour = (20 + secrets.randbelow(80), 40 + secrets.randbelow(60), 90 + secrets.randbelow(90))
        ImageDraw.Draw(tile).text((6, 4), char, font=font, fill=colour)
        tile = tile.rotate(secrets.randbelow(41) - 20, resample=Image.BICUBIC, expand=False)
        image.paste(tile, (x, secrets.randbelow(9)), tile)
        x += 34 + secrets.randbelow(4)
    for _ in range(200):  # speckles
        draw.point((secrets.randbelow(WIDTH), secrets.randbelow(HEIGHT)), fill=(110, 110, 110))
    image = image.filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def check(session, given):
    """Whether ``given`` answers the current challenge. The challenge is consumed either way."""
    stored = session.pop(SESSION_KEY, None)
    if not stored or not given or time.time() > stored.get("expires", 0):
        return False
    return secrets.compare_digest(str(given).strip().upper().encode(), stored["answer"].encode())
