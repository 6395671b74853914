// The canvas's glyph rasterizer: each character of a face as a mask, blitted in black or white.

// each character of a face as a mask: its nonzero pixels (offset, alpha) around a middle baseline
const faces = new Map();
function glyphs(weight, size) {
  const name = `${weight} ${size}px ${family}`;
  let face = faces.get(name);
  if (!face) faces.set(name, (face = { name, size, height: Math.ceil(size * 1.4), chars: new Map() }));
  return face;
}

function glyph(face, c) {
  let g = face.chars.get(c);
  if (g) return g;
  const pad = 2, h = face.height;
  ruler.font = face.name;
  const advance = ruler.measureText(c).width, w = Math.ceil(advance) + 2 * pad;
  const scratch = glyph.canvas || (glyph.canvas = document.createElement("canvas"));
  scratch.width = Math.max(w, 1);
  scratch.height = h;
  const sc = scratch.getContext("2d", { willReadFrequently: true });
  sc.font = face.name;
  sc.textBaseline = "middle";
  sc.fillStyle = "#fff";
  sc.fillText(c, pad, h / 2);
  const data = sc.getImageData(0, 0, scratch.width, h).data, xs = [], ys = [], as = [];
  for (let y = 0; y < h; y++) for (let x = 0; x < scratch.width; x++) {
    const a = data[(y * scratch.width + x) * 4 + 3];
    if (a) xs.push(x - pad), ys.push(y - Math.floor(h / 2)), as.push(a);
  }
  g = { advance, xs: Int16Array.from(xs), ys: Int16Array.from(ys), as: Uint8Array.from(as) };
  face.chars.set(c, g);
  return g;
}

// text centred at (cx, cy) in device pixels, in black (ink 0) or white (255), over the shades
function blit(bytes, cw, face, text, cx, cy, inkValue) {
  let width = 0;
  for (const c of text) width += glyph(face, c).advance;
  let x = cx - width / 2; // advances are fractional: each glyph starts on a whole pixel
  for (const c of text) {
    const g = glyph(face, c), left = Math.round(x);
    for (let n = 0; n < g.as.length; n++) {
      const o = ((cy + g.ys[n]) * cw + left + g.xs[n]) * 4, a = g.as[n] / 255;
      bytes[o] += (inkValue - bytes[o]) * a;
      bytes[o + 1] += (inkValue - bytes[o + 1]) * a;
      bytes[o + 2] += (inkValue - bytes[o + 2]) * a;
    }
    x += g.advance;
  }
}
