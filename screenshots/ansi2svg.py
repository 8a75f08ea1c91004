#!/usr/bin/env python3
"""Convert `tmux capture-pane -p -e` output into an SVG picture of a terminal.

Usage:
    tmux capture-pane -p -e -t SESSION > capture.ansi
    python3 screenshots/ansi2svg.py --cols 100 --rows 30 [--title TITLE] [--light] \\
        < capture.ansi > out.svg

--cols/--rows default to the size of the input.  Short lines are padded to
--cols, lines beyond --rows are dropped.

Supported SGR attributes: reset, bold, dim, italic, underline, reverse and
strike-through (and their resets), 16 / 256 / 24-bit foreground and background
colours.  Every other escape sequence (cursor movement, OSC, DCS, ...) is
skipped.  East Asian Wide/Fullwidth characters occupy two cells.  Box-drawing
(U+2500-257F) and block elements (U+2580-259F) are drawn as SVG shapes so they
join without gaps; everything else is text in a monospaced font, pinned to the
cell grid.  Standard library only; the output is deterministic.
"""
import argparse
import functools
import itertools
import re
import sys
import unicodedata
from collections import namedtuple

CELL_W, CELL_H, FONT_SIZE, BASELINE = 8.4, 18, 14, 13.8
FONT = 'DejaVu Sans Mono, Menlo, Consolas, monospace'
PAD, TITLE_H = 16, 34                      # window padding, title-bar height
BG, FG = '#1e1e2e', '#cdd6f4'              # default terminal colours
BAR, BORDER, TITLE_FG = '#181825', '#313244', '#9399b2'
DOTS = ('#f38ba8', '#f9e2af', '#a6e3a1')
PALETTE16 = ['#45475a', '#f38ba8', '#a6e3a1', '#f9e2af',
             '#89b4fa', '#f5c2e7', '#94e2d5', '#bac2de',
             '#585b70', '#f7a6bd', '#b9ebb5', '#fbe8bd',
             '#a1c3fb', '#f8d0ec', '#abe9df', '#e6e9f5']
LIGHT, HEAVY, GAP = 1.2, 2.4, 1.6           # box line widths, double-line offset

Style = namedtuple('Style', 'fg bg bold dim italic underline reverse strike')
DEFAULT = Style(None, None, False, False, False, False, False, False)
SGR_SIMPLE = {
    1: dict(bold=True), 2: dict(dim=True), 3: dict(italic=True),
    4: dict(underline=True), 7: dict(reverse=True), 9: dict(strike=True),
    21: dict(underline=True), 22: dict(bold=False, dim=False),
    23: dict(italic=False), 24: dict(underline=False), 27: dict(reverse=False),
    29: dict(strike=False), 39: dict(fg=None), 49: dict(bg=None)}

# One token: CSI (params, intermediates, final), OSC, DCS/PM/APC/SOS, any other
# escape, or a run of plain text (group 4).
TOKEN_RE = re.compile(r'\x1b(?:\[([0-?]*)([ -/]*)([@-~])'
                      r'|\][^\x07\x1b]*(?:\x07|\x1b\\)?'
                      r'|[PX^_][^\x1b]*(?:\x1b\\)?'
                      r'|[ -/]*[0-~]?)|([^\x1b]+)')


def rgb(r, g, b):
    return '#%02x%02x%02x' % tuple(max(0, min(255, v)) for v in (r, g, b))


def palette256(n):
    if n < 16:
        return PALETTE16[n]
    if n < 232:
        steps = (0, 95, 135, 175, 215, 255)
        n -= 16
        return rgb(steps[n // 36], steps[n // 6 % 6], steps[n % 6])
    return rgb(*[8 + 10 * (n - 232)] * 3)


def mix(a, b, t=0.5):
    """Blend colour a towards colour b (used for dim text)."""
    ca, cb = (int(a[i:i + 2], 16) for i in (1, 3, 5)), (int(b[i:i + 2], 16) for i in (1, 3, 5))
    return rgb(*(round(x * (1 - t) + y * t) for x, y in zip(ca, cb)))


def num(s):
    return int(s) if s.isdigit() else 0


def apply_sgr(st, params):
    parts, i = params.split(';'), 0
    while i < len(parts):
        sub = [num(p) for p in parts[i].split(':')]
        code, i = sub[0], i + 1
        if code in (38, 48, 58):            # extended colour
            if len(sub) == 1:               # 38;5;N  or  38;2;R;G;B
                mode = num(parts[i]) if i < len(parts) else 0
                nargs = {5: 1, 2: 3}.get(mode, 0)
                args = [num(p) for p in parts[i + 1:i + 1 + nargs]]
                i += 1 + nargs
            else:                           # 38:5:N  or  38:2:[cs]:R:G:B
                mode, args = sub[1], sub[2:] if sub[1] == 5 else sub[2:][-3:]
            colour = None
            if mode == 5 and args:
                colour = palette256(min(args[0], 255))
            elif mode == 2 and len(args) == 3:
                colour = rgb(*args)
            if colour and code != 58:       # 58 = underline colour: ignored
                st = st._replace(**{'fg' if code == 38 else 'bg': colour})
        elif code == 0:
            st = DEFAULT
        elif code == 4 and len(sub) > 1:    # 4:0 .. 4:5 underline styles
            st = st._replace(underline=sub[1] != 0)
        elif code in SGR_SIMPLE:
            st = st._replace(**SGR_SIMPLE[code])
        elif 30 <= code <= 37 or 90 <= code <= 97:
            st = st._replace(fg=PALETTE16[code % 10 + (8 if code >= 90 else 0)])
        elif 40 <= code <= 47 or 100 <= code <= 107:
            st = st._replace(bg=PALETTE16[code % 10 + (8 if code >= 100 else 0)])
    return st


def char_width(ch):
    if unicodedata.combining(ch) or unicodedata.category(ch) in ('Mn', 'Me', 'Cf'):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ('W', 'F') else 1


def parse(data):
    """Return a list of rows; each row maps column -> (text, Style).
    The right half of a wide character is stored as ('', Style)."""
    rows, st, c = [{}], DEFAULT, 0
    for params, inter, final, text in TOKEN_RE.findall(data):
        if not text:
            if final == 'm' and not inter and params[:1] not in ('<', '=', '>', '?'):
                st = apply_sgr(st, params)
            continue
        row = rows[-1]
        for ch in text:
            if ch == '\n':
                rows.append({})
                row, c = rows[-1], 0
            elif ch == '\r':
                c = 0
            elif ch == '\t':
                c = (c // 8 + 1) * 8
            elif ch == '\b':
                c = max(0, c - 1)
            elif ord(ch) < 0x20 or 0x7f <= ord(ch) < 0xa0:
                continue
            elif char_width(ch) == 0:       # combining mark: attach to previous cell
                prev = c - 1 if row.get(c - 1, ('x',))[0] else c - 2
                if prev in row:
                    row[prev] = (row[prev][0] + ch, row[prev][1])
            else:
                row[c] = (ch, st)
                if char_width(ch) == 2:
                    row[c + 1] = ('', st)
                c += char_width(ch)
    if data.endswith('\n'):
        rows.pop()
    return rows


def resolve(st):
    """Final (foreground, background-or-None) colours of a cell."""
    fg, bg = st.fg or FG, st.bg
    if st.reverse:
        fg, bg = bg or BG, fg
    if st.dim:
        fg = mix(fg, bg or BG)
    return fg, bg


def f(v):
    return ('%.2f' % v).rstrip('0').rstrip('.')


def esc(s):
    s = ''.join(ch if 0x20 <= ord(ch) < 0xd800 or 0xe000 <= ord(ch) < 0xfffe
                or ord(ch) >= 0x10000 else '\ufffd' for ch in s)
    return s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;').replace('"', '&quot;')


# ---------------------------------------------------------------- box drawing
WEIGHT = {'LIGHT': 1, 'SINGLE': 1, 'HEAVY': 2, 'DOUBLE': 3}
DIRS = {'UP': 'u', 'DOWN': 'd', 'LEFT': 'l', 'RIGHT': 'r', 'HORIZONTAL': 'lr', 'VERTICAL': 'ud'}
VEC = {'u': (0, -1), 'd': (0, 1), 'l': (-1, 0), 'r': (1, 0)}
PERP = {'l': 'ud', 'r': 'ud', 'u': 'lr', 'd': 'lr'}
HALF = {'u': CELL_H / 2, 'd': CELL_H / 2, 'l': CELL_W / 2, 'r': CELL_W / 2}


@functools.lru_cache(maxsize=None)
def box_spec(ch):
    """Derive (kind, {direction: weight}, extra) from the Unicode character name,
    e.g. 'BOX DRAWINGS DOWN LIGHT AND RIGHT HEAVY' -> ('line', {d:1, r:2}, 0)."""
    name = unicodedata.name(ch, '')
    if not name.startswith('BOX DRAWINGS '):
        return None
    words = name[len('BOX DRAWINGS '):]
    if 'DIAGONAL' in words:
        diag = ('/' if 'UPPER RIGHT' in words else '') + ('\\' if 'UPPER LEFT' in words else '')
        return 'diag', {}, diag or '/\\'
    dashes = 0
    for n, w in ((2, 'DOUBLE DASH'), (3, 'TRIPLE DASH'), (4, 'QUADRUPLE DASH')):
        if w in words:
            dashes, words = n, words.replace(w, '')
    groups = [g.split() for g in words.split(' AND ')]
    weights = [next((WEIGHT[t] for t in g if t in WEIGHT), 0) for g in groups]
    arms, last = {}, next((w for w in weights if w), 1)
    for g, w in zip(groups, weights):
        last = w or last                    # 'LIGHT DOWN AND RIGHT': weight carries over
        for t in g:
            for d in DIRS.get(t, ''):
                arms[d] = last
    return ('arc' if 'ARC' in words else 'dash' if dashes else 'line'), arms, dashes


def box_shapes(ch, x, y, colour):
    """Return (segments, extra SVG elements) drawing box character ch in a cell.
    A segment is (x1, y1, x2, y2, width, colour); see merge_segments()."""
    kind, arms, extra = box_spec(ch)
    cx, cy = x + CELL_W / 2, y + CELL_H / 2

    def pt(a, off, t):                      # t along arm a from centre, off sideways
        dx, dy = VEC[a]
        return cx + dx * t + abs(dy) * off, cy + dy * t + abs(dx) * off

    def seg(p, q, width=LIGHT):
        return (p[0], p[1], q[0], q[1], width, colour)

    if kind == 'diag':
        ends = {'/': ((x, y + CELL_H), (x + CELL_W, y)), '\\': ((x, y), (x + CELL_W, y + CELL_H))}
        return [seg(*ends[d]) for d in extra], []
    if kind == 'arc':                       # straight stubs + a quadratic curve
        v, h = [a for a in arms if a in 'ud'][0], [a for a in arms if a in 'lr'][0]
        r = CELL_W / 2
        p1, p2 = pt(v, 0, r), pt(h, 0, r)
        d = 'M%s %s Q%s %s %s %s' % tuple(f(c) for c in p1 + (cx, cy) + p2)
        return [seg(p1, pt(v, 0, HALF[v])), seg(p2, pt(h, 0, HALF[h]))], [
            '<path d="%s" fill="none" stroke="%s" stroke-width="%s"/>' % (d, colour, f(LIGHT))]
    width = HEAVY if 2 in arms.values() else LIGHT
    if kind == 'dash':                      # n short segments along the axis
        a = 'r' if 'r' in arms else 'd'
        step = 2 * HALF[a] / extra
        return [seg(pt(a, 0, -HALF[a] + i * step + step * .2),
                    pt(a, 0, -HALF[a] + (i + 1) * step - step * .2), width)
                for i in range(extra)], []
    out = []
    for a, w in arms.items():               # each arm runs from the edge to the centre
        perp = [arms.get(p, 0) for p in PERP[a]]
        if w == 3:                          # double: two parallel thin lines
            for side, pw in zip((-1, 1), perp):
                t0 = 0 if 3 not in perp else (GAP if pw == 3 else -GAP) - LIGHT / 2
                out.append(seg(pt(a, side * GAP, t0), pt(a, side * GAP, HALF[a])))
        else:                               # reach past the centre to square the joint
            ext = GAP + LIGHT / 2 if 3 in perp else max(
                [(HEAVY if p == 2 else LIGHT) / 2 for p in perp if p] or [0])
            out.append(seg(pt(a, 0, -ext), pt(a, 0, HALF[a]), HEAVY if w == 2 else LIGHT))
    return out, []


def merge_segments(segs):
    """Join touching collinear horizontal/vertical segments of the same width and
    colour into one <line>, so long box edges have no seams between cells."""
    out, runs = [], {}
    for x1, y1, x2, y2, w, colour in segs:
        if round(y1, 3) == round(y2, 3):
            runs.setdefault(('h', round(y1, 3), w, colour), []).append(sorted((x1, x2)))
        elif round(x1, 3) == round(x2, 3):
            runs.setdefault(('v', round(x1, 3), w, colour), []).append(sorted((y1, y2)))
        else:
            out.append((x1, y1, x2, y2, w, colour))
    for (axis, pos, w, colour), spans in runs.items():
        spans.sort()
        merged = [spans[0]]
        for a, b in spans[1:]:
            if a <= merged[-1][1] + 1e-3:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        out += [(a, pos, b, pos, w, colour) if axis == 'h' else (pos, a, pos, b, w, colour)
                for a, b in merged]
    return ['<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="%s"/>'
            % (f(x1), f(y1), f(x2), f(y2), colour, f(w)) for x1, y1, x2, y2, w, colour in out]


BLOCKS = {0x2580: [(0, 0, 1, .5)], 0x2590: [(.5, 0, 1, 1)],       # halves
          0x2594: [(0, 0, 1, 1 / 8)], 0x2595: [(7 / 8, 0, 1, 1)]}  # eighths
QUADS = {0x2596: 'C', 0x2597: 'D', 0x2598: 'A', 0x2599: 'ACD', 0x259a: 'AD',
         0x259b: 'ABC', 0x259c: 'ABD', 0x259d: 'B', 0x259e: 'BC', 0x259f: 'BCD'}


def block_rects(ch):
    """Block element -> list of (x0, y0, x1, y1, opacity) as fractions of a cell."""
    o = ord(ch)
    if 0x2581 <= o <= 0x2588:               # lower n/8 ... full block
        return [(0, 1 - (o - 0x2580) / 8, 1, 1, 1)]
    if 0x2589 <= o <= 0x258f:               # left 7/8 ... 1/8
        return [(0, 0, (0x2590 - o) / 8, 1, 1)]
    if 0x2591 <= o <= 0x2593:               # shades: translucent foreground
        return [(0, 0, 1, 1, (o - 0x2590) / 4)]
    if o in QUADS:                          # quadrants A B / C D
        return [(x, y, x + .5, y + .5, 1) for q in QUADS[o]
                for x, y in [{'A': (0, 0), 'B': (.5, 0), 'C': (0, .5), 'D': (.5, .5)}[q]]]
    return [r + (1,) for r in BLOCKS[o]]


def add_rect(rects, x, y, w, h, fill, opacity=1):
    """Append a rect, merging it into the previous one when they touch."""
    last = rects[-1] if rects else None
    if last and last[1] == y and last[3:] == [h, fill, opacity] \
            and abs(last[0] + last[2] - x) < 1e-6:
        last[2] += w
    else:
        rects.append([x, y, w, h, fill, opacity])


# -------------------------------------------------------------------- output
def render(rows, cols, nrows, title):
    gx, gy = PAD, TITLE_H + PAD / 2
    width, height = 2 * PAD + cols * CELL_W, gy + nrows * CELL_H + PAD
    bgs, blocks, segs, shapes, texts = [], [], [], [], []
    for r in range(nrows):
        row, y = rows[r] if r < len(rows) else {}, gy + r * CELL_H
        items = []                          # (text-style key or None, col, text)
        for c in range(cols):
            ch, st = row.get(c, (' ', DEFAULT))
            if ch and char_width(ch[0]) == 2 and c + 1 >= cols:
                ch = ' '                    # wide char cut off at the right edge
            fg, bg = resolve(st)
            x = gx + c * CELL_W
            if bg:
                add_rect(bgs, x, y, CELL_W, CELL_H, bg)
            o = ord(ch[0]) if ch else 0
            special = not ch or o >= 0x2000 or char_width(ch[0]) == 2
            if 0x2500 <= o <= 0x257f and box_spec(ch[0]):
                more_segs, more_shapes = box_shapes(ch[0], x, y, fg)
                segs += more_segs
                shapes += more_shapes
            elif 0x2580 <= o <= 0x259f:
                for x0, y0, x1, y1, op in block_rects(ch[0]):
                    add_rect(blocks, x + x0 * CELL_W, y + y0 * CELL_H,
                             (x1 - x0) * CELL_W, (y1 - y0) * CELL_H, fg, op)
            elif ch and special:
                w = CELL_W * char_width(ch[0])  # symbol / wide: centred in its cells
                texts.append(text_el(x + w / 2, y, ch, st, fg, ' text-anchor="middle"'))
            items.append(((fg, st.bold, st.italic, st.underline, st.strike)
                          if not special else None, c, ch))
        for key, grp in itertools.groupby(items, key=lambda it: it[0]):
            cells = [(c, ch) for _, c, ch in grp]
            if key is None:
                continue
            mask = ''.join('x' if ch != ' ' else ' ' for _, ch in cells)
            spans = [(0, len(cells))] if key[3] or key[4] else \
                [m.span() for m in re.finditer(r'\S+(?: \S+)*', mask)]
            for a, b in spans:              # split at 2+ spaces, trim the ends
                x, n = gx + cells[a][0] * CELL_W, b - a
                extra = ' textLength="%s"' % f(n * CELL_W) if n > 1 else ''
                st = Style(None, None, key[1], False, key[2], key[3], False, key[4])
                texts.append(text_el(x, y, ''.join(ch for _, ch in cells[a:b]), st, key[0], extra))

    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s">'
           % (f(width), f(height), f(width), f(height)),
           '<rect width="%s" height="%s" rx="10" fill="%s"/>' % (f(width), f(height), BG),
           '<path d="M0 %s V10 Q0 0 10 0 H%s Q%s 0 %s 10 V%s Z" fill="%s"/>'
           % (TITLE_H, f(width - 10), f(width), f(width), TITLE_H, BAR)]
    out += ['<circle cx="%d" cy="%s" r="6" fill="%s"/>' % (20 + 20 * i, TITLE_H / 2, col)
            for i, col in enumerate(DOTS)]
    if title:
        out.append('<text x="%s" y="%s" text-anchor="middle" font-family="%s" font-size="13" '
                   'fill="%s">%s</text>'
                   % (f(width / 2), TITLE_H / 2 + 4.5, FONT, TITLE_FG, esc(title)))
    out.append('<rect x=".5" y=".5" width="%s" height="%s" rx="10" fill="none" stroke="%s"/>'
               % (f(width - 1), f(height - 1), BORDER))
    out.append('<g shape-rendering="crispEdges">')
    out += ['<rect x="%s" y="%s" width="%s" height="%s" fill="%s"%s/>'
            % (f(x), f(y), f(w), f(h), fill, '' if op == 1 else ' fill-opacity="%s"' % f(op))
            for x, y, w, h, fill, op in bgs + blocks]
    out += ['</g>', '<g stroke-linecap="butt">'] + merge_segments(segs) + shapes + ['</g>']
    out.append('<g font-family="%s" font-size="%s" fill="%s">' % (FONT, FONT_SIZE, FG))
    out += texts + ['</g>', '</svg>']
    return '\n'.join(out) + '\n'


def text_el(x, y, text, st, fg, extra=''):
    attrs = '' if fg == FG else ' fill="%s"' % fg
    attrs += ' font-weight="bold"' * st.bold + ' font-style="italic"' * st.italic
    deco = ' '.join(d for d, on in (('underline', st.underline), ('line-through', st.strike)) if on)
    attrs += ' text-decoration="%s"' % deco if deco else ''
    return '<text x="%s" y="%s"%s%s xml:space="preserve">%s</text>' % (
        f(x), f(y + BASELINE), attrs, extra, esc(text))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--cols', type=int, help='terminal width in cells (default: from input)')
    ap.add_argument('--rows', type=int, help='terminal height in cells (default: from input)')
    ap.add_argument('--title', default='', help='window title')
    ap.add_argument('--light', action='store_true',
                    help='a light terminal (black on white), for light themes')
    args = ap.parse_args()
    if args.light:
        global BG, FG, BAR, BORDER, TITLE_FG, PALETTE16
        BG, FG = '#ffffff', '#1f2937'
        BAR, BORDER, TITLE_FG = '#e5e7eb', '#d1d5db', '#4b5563'
        PALETTE16 = ['#000000', '#c01c28', '#26a269', '#a2734c',
                     '#12488b', '#a347ba', '#2aa1b3', '#d0cfcc',
                     '#5e5c64', '#f66151', '#33d17a', '#e9ad0c',
                     '#2a7bde', '#c061cb', '#33c7de', '#ffffff']
    data = sys.stdin.buffer.read().decode('utf-8', errors='replace')
    rows = parse(data)
    cols = args.cols or max([max(r, default=-1) + 1 for r in rows] + [1])
    nrows = args.rows or max(len(rows), 1)
    sys.stdout.write(render(rows, cols, nrows, args.title))


if __name__ == '__main__':
    main()
