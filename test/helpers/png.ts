// A minimal PNG encoder for tests (8-bit RGBA, no interlace): a "drawn signature" whose ink colour
// the test chooses, so a rendered page can be searched for it pixel by pixel.
import { randomBytes } from "node:crypto";
import { crc32, deflateSync } from "node:zlib";

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([len, body, crc]);
}

/** A width x height RGBA PNG of random pixels: it does not compress (about 4 bytes a pixel). */
export function noisePng(width: number, height: number): Buffer {
  return encode(width, height, Buffer.from(randomBytes((width * 4 + 1) * height).map((v, i) => (i % (width * 4 + 1) === 0 ? 0 : v))));
}

/** A width x height RGBA PNG: transparent, with the pixels for which `ink(x, y)` holds in `rgb`. */
export function pngWithInk(width: number, height: number, ink: (x: number, y: number) => boolean, rgb: [number, number, number]): Buffer {
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 4 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      if (!ink(x, y)) continue;
      const o = row + 1 + x * 4;
      [raw[o], raw[o + 1], raw[o + 2], raw[o + 3]] = [...rgb, 255];
    }
  }
  return encode(width, height, raw);
}

/** Filtered scanlines (a filter byte, then RGBA pixels, per row) to a PNG. */
function encode(width: number, height: number, raw: Buffer): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

/** A binary PPM (pdftoppm's default output): its size and each pixel's RGB. */
export function readPpm(buf: Buffer): { width: number; height: number; at: (x: number, y: number) => [number, number, number] } {
  const m = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(buf.subarray(0, 64).toString("latin1"));
  if (!m) throw new Error("not a binary PPM");
  const width = Number(m[1]);
  const off = m[0].length;
  return { width, height: Number(m[2]), at: (x, y) => [buf[off + (y * width + x) * 3], buf[off + (y * width + x) * 3 + 1], buf[off + (y * width + x) * 3 + 2]] };
}
