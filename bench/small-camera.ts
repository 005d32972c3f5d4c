// A small moving picture for Chromium's fake camera (`--use-file-for-fake-video-capture`), for the load run with
// eight participants: with the default camera, two cores cannot keep seven remote videos moving per page on either
// side, so CPU per participant compares a call that works with one that does not. Written at run time, never
// committed: a Y4M file is a header and raw YUV 4:2:0 frames.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SMALL_CAMERA = { width: 160, height: 120, fps: 15 } as const;

/** Writes two seconds of a bar sweeping across a changing background; answers the file's path. */
export function writeSmallCamera(): string {
  const { width, height, fps } = SMALL_CAMERA;
  const frames = fps * 2;
  const lumaSize = width * height;
  const chromaSize = (width / 2) * (height / 2);
  const parts: Buffer[] = [Buffer.from(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`)];
  for (let frame = 0; frame < frames; frame += 1) {
    const luma = Buffer.alloc(lumaSize, 60 + ((frame * 4) % 120));
    const barX = Math.floor((frame / frames) * width);
    for (let y = 0; y < height; y += 1) luma.fill(235, y * width + barX, y * width + Math.min(width, barX + 16));
    parts.push(Buffer.from('FRAME\n'), luma, Buffer.alloc(chromaSize, 90 + frame), Buffer.alloc(chromaSize, 160 - frame));
  }
  const path = join(tmpdir(), `mx-bench-camera-${width}x${height}.y4m`);
  writeFileSync(path, Buffer.concat(parts));
  return path;
}
