"""Pictures for the demo newspaper, drawn with Pillow: simple scenes and abstract portraits.

Every picture comes from a seed, so the same seed draws the same pixels; each drawing also
returns a sentence describing what it shows, used as the image's alt text.
"""

import io
import math
import random

from PIL import Image, ImageDraw

SCENE_SIZE = (1600, 1067)
PORTRAIT_SIZE = (600, 600)
JPEG_QUALITY = 84

# Named colours, so that alt text can say what the picture shows.
COLOURS = {
    "navy": (28, 43, 82),
    "teal": (22, 120, 124),
    "deep green": (33, 92, 62),
    "olive": (120, 128, 52),
    "ochre": (204, 142, 40),
    "coral": (232, 106, 84),
    "crimson": (170, 32, 48),
    "plum": (108, 52, 110),
    "slate blue": (82, 96, 150),
    "sky blue": (110, 170, 222),
    "sand": (228, 206, 160),
    "charcoal": (52, 54, 60),
    "mint": (150, 214, 180),
    "rose": (230, 150, 170),
    "amber": (246, 180, 60),
    "cream": (246, 238, 220),
}

SKIES = {
    "dawn": ((250, 200, 170), (120, 150, 210), "pale pink dawn"),
    "midday": ((120, 180, 235), (214, 234, 250), "clear blue midday"),
    "dusk": ((60, 44, 110), (246, 146, 84), "orange and violet dusk"),
    "night": ((10, 16, 40), (44, 60, 110), "deep blue night"),
}


def _gradient(size, top, bottom):
    """A vertical gradient: one column blended from top to bottom, stretched sideways."""
    column = (1, size[1])
    mask = Image.linear_gradient("L").resize(column, Image.Resampling.BILINEAR)
    blend = Image.composite(Image.new("RGB", column, bottom), Image.new("RGB", column, top), mask)
    return blend.resize(size, Image.Resampling.NEAREST)


def _mix(a, b, t):
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def a(words):
    """'a sand background', 'an ochre top'."""
    return ("an " if words[0] in "aeiou" else "a ") + words


def _colour(rng, exclude=()):
    name = rng.choice([name for name in COLOURS if name not in exclude])
    return name, COLOURS[name]


def _skyline(rng, size):
    width, height = size
    time = rng.choice(list(SKIES))
    top, bottom, sky_words = SKIES[time]
    image = _gradient(size, top, bottom)
    draw = ImageDraw.Draw(image)
    lit = time in ("dusk", "night")
    light = "moon" if time == "night" else "sun"
    radius = rng.randint(60, 110)
    cx, cy = rng.randint(200, width - 200), rng.randint(150, height // 2 - 50)
    glow = (250, 246, 220) if light == "moon" else (255, 214, 120)
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=glow)
    tone_name, tone = _colour(rng, exclude=("cream", "sand", "mint", "sky blue", "amber"))
    back = _mix(tone, bottom, 0.45)
    ground = height - rng.randint(60, 120)
    towers = 0
    for layer, colour in ((0, back), (1, tone)):
        x = -rng.randint(0, 60)
        while x < width:
            tower_width = rng.randint(70, 180)
            top_y = rng.randint(int(height * (0.25 if layer else 0.18)), int(height * 0.7))
            draw.rectangle((x, top_y, x + tower_width, ground), fill=colour)
            if layer:
                towers += 1
                if rng.random() < 0.3:  # a spire on some towers
                    mid = x + tower_width // 2
                    draw.polygon(
                        [(mid - 12, top_y), (mid + 12, top_y), (mid, top_y - 70)], fill=colour
                    )
                window = (255, 220, 130) if lit else _mix(colour, (255, 255, 255), 0.25)
                for wy in range(top_y + 20, ground - 30, 34):
                    for wx in range(x + 14, x + tower_width - 24, 28):
                        if not lit or rng.random() < 0.55:
                            draw.rectangle((wx, wy, wx + 12, wy + 18), fill=window)
            x += tower_width + rng.randint(-20, 30)
    draw.rectangle((0, ground, width, height), fill=_mix(tone, (0, 0, 0), 0.5))
    windows = "lit yellow windows" if lit else "rows of pale windows"
    description = (
        f"Illustration of a city skyline: {towers} {tone_name} towers with {windows} "
        f"against {a(sky_words)} sky, with the {light} above the rooftops."
    )
    return image, description


def _chart(rng, size):
    width, height = size
    bg_name, bg = _colour(rng, exclude=())
    bg = _mix(bg, (255, 255, 255), 0.82)
    image = Image.new("RGB", size, bg)
    draw = ImageDraw.Draw(image)
    grid = _mix(bg, (0, 0, 0), 0.12)
    left, right, top, bottom = 140, width - 120, 120, height - 140
    for y in range(top, bottom + 1, (bottom - top) // 5):
        draw.line((left, y, right, y), fill=grid, width=3)
    draw.line((left, bottom, right, bottom), fill=_mix(bg, (0, 0, 0), 0.6), width=6)
    bar_name, bar = _colour(rng, exclude=("cream", "sand", "mint", bg_name))
    line_name, line = _colour(rng, exclude=("cream", "sand", "mint", bg_name, bar_name))
    count = rng.randint(6, 12)
    rising = rng.random() < 0.6
    value = rng.uniform(0.25, 0.45) if rising else rng.uniform(0.6, 0.85)
    slot = (right - left) / count
    points = []
    for index in range(count):
        value += rng.uniform(0.0, 0.12) * (1 if rising else -1) + rng.uniform(-0.07, 0.07)
        value = min(0.95, max(0.08, value))
        x0 = left + index * slot + slot * 0.18
        x1 = left + (index + 1) * slot - slot * 0.18
        y0 = bottom - value * (bottom - top)
        draw.rectangle((x0, y0, x1, bottom), fill=bar)
        points.append(((x0 + x1) / 2, y0 - 40))
    draw.line(points, fill=line, width=10, joint="curve")
    for x, y in points:
        draw.ellipse((x - 16, y - 16, x + 16, y + 16), fill=line)
    direction = "rising" if rising else "falling"
    description = (
        f"Illustration of a bar chart: {count} {bar_name} bars, mostly {direction} from left "
        f"to right, with {a(line_name)} trend line above them on a pale {bg_name} background."
    )
    return image, description


def _hill(rng, width, base, amplitude):
    waves = [(rng.uniform(0.002, 0.008), rng.uniform(0, math.tau)) for _ in range(3)]
    return [
        (x, base - amplitude * sum(math.sin(x * f + p) for f, p in waves) / 3)
        for x in range(0, width + 21, 20)
    ]


def _landscape(rng, size):
    width, height = size
    time = rng.choice(["dawn", "midday", "dusk"])
    top, bottom, sky_words = SKIES[time]
    image = _gradient(size, top, bottom)
    draw = ImageDraw.Draw(image)
    radius = rng.randint(70, 120)
    cx, cy = rng.randint(250, width - 250), rng.randint(170, height // 2 - 60)
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=(255, 226, 140))
    hill_name, hill = rng.choice(
        [("green", (64, 130, 74)), ("olive", (120, 128, 52)), ("blue-grey", (84, 104, 128))]
    )
    layers = rng.randint(3, 4)
    for layer in range(layers):
        shade = _mix(_mix(hill, bottom, 0.55), hill, layer / (layers - 1))
        shade = _mix(shade, (0, 0, 0), 0.12 * layer)
        base = height * (0.5 + 0.12 * layer)
        outline = _hill(rng, width, base, rng.randint(40, 110))
        draw.polygon([*outline, (width + 20, height), (0, height)], fill=shade)
    feature = rng.choice(["lake", "fields", "none"])
    if feature == "lake":
        y0 = int(height * 0.82)
        water = _mix(top, (30, 80, 140), 0.5)
        draw.rectangle((0, y0, width, height), fill=water)
        for y in range(y0 + 20, height, 26):
            x = rng.randint(0, 300)
            draw.line(
                (x, y, x + rng.randint(200, 600), y),
                fill=_mix(water, (255, 255, 255), 0.3),
                width=4,
            )
        extra = " and a calm lake in the foreground"
    elif feature == "fields":
        y0 = int(height * 0.8)
        for row, y in enumerate(range(y0, height, 30)):
            colour = (196, 170, 72) if row % 2 else (150, 160, 60)
            draw.rectangle((0, y, width, y + 30), fill=colour)
        extra = " and striped fields of crops in the foreground"
    else:
        extra = ""
    description = (
        f"Illustration of a landscape: {layers} layers of rolling {hill_name} hills under a "
        f"{sky_words} sky, with the sun over the ridges{extra}."
    )
    return image, description


def _abstract(rng, size):
    width, height = size
    bg_name, bg = _colour(rng)
    image = Image.new("RGBA", size, bg + (255,))
    overlay = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    names = [_colour(rng, exclude=(bg_name,)) for _ in range(3)]
    shapes = {"circles": 0, "rectangles": 0, "triangles": 0}
    for _ in range(rng.randint(9, 16)):
        name, colour = rng.choice(names)
        fill = colour + (rng.randint(150, 220),)
        kind = rng.choice(list(shapes))
        shapes[kind] += 1
        x, y = rng.randint(-100, width), rng.randint(-100, height)
        s = rng.randint(120, 420)
        if kind == "circles":
            draw.ellipse((x, y, x + s, y + s), fill=fill)
        elif kind == "rectangles":
            draw.rectangle((x, y, x + s * rng.uniform(0.6, 1.8), y + s * 0.7), fill=fill)
        else:
            draw.polygon([(x, y + s), (x + s, y + s), (x + s / 2, y)], fill=fill)
    image = Image.alpha_composite(image, overlay).convert("RGB")
    most = sorted(shapes, key=lambda k: (-shapes[k], k))[:2]
    colour_words = ", ".join(name for name, _ in names[:-1]) + f" and {names[-1][0]}"
    description = (
        f"Abstract illustration: overlapping translucent {most[0]} and {most[1]} in "
        f"{colour_words} on {a(bg_name)} background."
    )
    return image, description


def _harbour(rng, size):
    width, height = size
    time = rng.choice(["dawn", "midday", "dusk"])
    top, bottom, sky_words = SKIES[time]
    image = _gradient(size, top, bottom)
    draw = ImageDraw.Draw(image)
    quay = int(height * 0.62)
    sea = _mix((24, 70, 120), top, 0.25)
    draw.rectangle((0, quay, width, height), fill=sea)
    for y in range(quay + 30, height, 36):
        for x in range(rng.randint(-80, 0), width, 220):
            draw.arc(
                (x, y, x + 120, y + 30), 200, 340, fill=_mix(sea, (255, 255, 255), 0.35), width=4
            )
    crane_name, crane = _colour(rng, exclude=("cream", "sand", "mint", "sky blue"))
    cranes = rng.randint(2, 4)
    for index in range(cranes):
        x = 180 + index * (width - 360) // max(1, cranes - 1) + rng.randint(-40, 40)
        mast_top = rng.randint(int(height * 0.18), int(height * 0.3))
        draw.rectangle((x - 12, mast_top, x + 12, quay), fill=crane)
        draw.rectangle((x - 160, mast_top, x + 220, mast_top + 20), fill=crane)
        draw.line((x, mast_top - 50, x + 200, mast_top), fill=crane, width=6)
        draw.line((x, mast_top - 50, x - 150, mast_top), fill=crane, width=6)
        draw.rectangle((x - 12, mast_top - 50, x + 12, mast_top), fill=crane)
    stack_colours = [COLOURS[n] for n in ("crimson", "teal", "ochre", "navy", "coral")]
    for x in range(40, width - 80, 130):
        for level in range(rng.randint(1, 4)):
            y1 = quay - level * 46
            draw.rectangle((x, y1 - 44, x + 122, y1), fill=rng.choice(stack_colours))
    boats = rng.randint(1, 3)
    lane = (height - quay - 110) // boats  # a lane of water each, so that boats never overlap
    for index in range(boats):
        bx = rng.randint(100, width - 500)
        by = quay + 70 + index * lane + rng.randint(0, max(0, lane - 120))
        hull = [(bx, by), (bx + 400, by), (bx + 355, by + 56), (bx + 40, by + 56)]
        draw.polygon(hull, fill=(40, 40, 48))
        draw.rectangle((bx + 250, by - 46, bx + 345, by), fill=(236, 236, 230))
    description = (
        f"Illustration of a port: {cranes} {crane_name} cranes over stacks of shipping "
        f"containers on the quay, with {boats} {'boat' if boats == 1 else 'boats'} on the water "
        f"under {a(sky_words)} sky."
    )
    return image, description


SCENES = {
    "skyline": _skyline,
    "chart": _chart,
    "landscape": _landscape,
    "abstract": _abstract,
    "harbour": _harbour,
}


def draw_scene(kind, seed, size=SCENE_SIZE):
    """Draw a scene of this kind; returns (image, description)."""
    return SCENES[kind](random.Random(f"scene:{kind}:{seed}"), size)


SKIN_TONES = [
    (244, 214, 190),
    (226, 184, 150),
    (198, 146, 108),
    (160, 110, 76),
    (120, 80, 56),
    (88, 58, 42),
]
HAIR = {
    "black": (30, 26, 26),
    "dark brown": (72, 48, 34),
    "auburn": (138, 62, 38),
    "blond": (222, 188, 110),
    "grey": (170, 170, 172),
}


def draw_portrait(seed, size=PORTRAIT_SIZE):
    """An abstract head-and-shoulders portrait, drawn at twice the size and reduced for smooth
    edges. Returns (image, description) where description finishes 'Illustrated portrait: ...'."""
    rng = random.Random(f"portrait:{seed}")
    scale = 2
    width, height = size[0] * scale, size[1] * scale
    bg_name, bg = _colour(rng, exclude=("charcoal",))
    image = _gradient((width, height), _mix(bg, (255, 255, 255), 0.35), bg)
    draw = ImageDraw.Draw(image)
    skin = rng.choice(SKIN_TONES)
    hair_name, hair = rng.choice(list(HAIR.items()))
    top_name, top = _colour(rng, exclude=(bg_name, "cream", "sand"))
    style = rng.choice(["short", "long", "curly", "bun", "shaved"])
    cx = width // 2
    head_w, head_h = int(width * 0.32), int(height * 0.4)
    head_top = int(height * 0.17)
    head = (cx - head_w // 2, head_top, cx + head_w // 2, head_top + head_h)
    if style == "long":
        draw.rounded_rectangle(
            (head[0] - 40, head_top - 30, head[2] + 40, int(height * 0.78)), radius=160, fill=hair
        )
    # shoulders and neck
    draw.ellipse(
        (int(width * 0.1), int(height * 0.66), int(width * 0.9), int(height * 1.3)), fill=top
    )
    draw.rectangle((cx - head_w // 5, head[3] - 60, cx + head_w // 5, int(height * 0.7)), fill=skin)
    draw.ellipse(head, fill=skin)
    if style in ("short", "long"):
        draw.chord(
            (head[0] - 10, head_top - 30, head[2] + 10, head_top + head_h * 0.75),
            180,
            360,
            fill=hair,
        )
    elif style == "curly":
        for angle in range(180, 361, 20):
            r = head_w * 0.52
            x = cx + r * math.cos(math.radians(angle))
            y = head_top + head_h * 0.35 + r * 0.9 * math.sin(math.radians(angle))
            draw.ellipse((x - 60, y - 60, x + 60, y + 60), fill=hair)
    elif style == "bun":
        draw.chord(
            (head[0] - 6, head_top - 16, head[2] + 6, head_top + head_h * 0.7), 180, 360, fill=hair
        )
        draw.ellipse((cx - 70, head_top - 120, cx + 70, head_top + 20), fill=hair)
    glasses = rng.random() < 0.35
    if glasses:
        ey = head_top + int(head_h * 0.48)
        for ex in (cx - head_w // 5, cx + head_w // 5):
            draw.ellipse((ex - 46, ey - 38, ex + 46, ey + 38), outline=(40, 40, 44), width=10)
        draw.line(
            (cx - head_w // 5 + 46, ey, cx + head_w // 5 - 46, ey), fill=(40, 40, 44), width=10
        )
    image = image.reduce(scale)
    hair_words = {
        "short": f"short {hair_name} hair",
        "long": f"long {hair_name} hair",
        "curly": f"curly {hair_name} hair",
        "bun": f"{hair_name} hair in a bun",
        "shaved": "a shaved head",
    }[style]
    description = (
        f"a faceless head-and-shoulders figure with {hair_words}"
        f"{' and round glasses' if glasses else ''}, wearing {a(top_name)} top, "
        f"on {a(bg_name)} background."
    )
    return image, description


def jpeg_bytes(image):
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()
