// Streams with a real, moving picture and no camera or screen behind them, painted on a canvas. Stories use
// them so tiles look like a call; tests use them wherever a feed needs a live video track.

export interface PaintedStreamOptions {
  /** What the picture looks like: a person on a coloured backdrop, or a slide of a shared screen. */
  readonly scene?: 'camera' | 'screen';
  /** Backdrop hue of a camera scene, 0-360. */
  readonly hue?: number;
  /** Text painted on the picture. */
  readonly label?: string;
}

/**
 * A MediaStream with one live video track, repainted every animation frame until the track is stopped. Stop
 * its tracks when done (`stream.getTracks().forEach((t) => t.stop())`) to end the painting.
 */
export function paintedStream({ scene = 'camera', hue = 210, label = '' }: PaintedStreamOptions = {}): MediaStream {
  const canvas = document.createElement('canvas');
  canvas.width = scene === 'screen' ? 1280 : 640;
  canvas.height = scene === 'screen' ? 720 : 360;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('fake-media: no 2D canvas context');
  const stream = canvas.captureStream(15);
  const [track] = stream.getVideoTracks();
  const paint = (time: number) => {
    if (track?.readyState !== 'live') return;
    if (scene === 'screen') paintScreen(context, canvas, label);
    else paintCamera(context, canvas, hue, label, time);
    requestAnimationFrame(paint);
  };
  paint(0);
  return stream;
}

function paintCamera(c: CanvasRenderingContext2D, canvas: HTMLCanvasElement, hue: number, label: string, time: number) {
  const { width: w, height: h } = canvas;
  const backdrop = c.createLinearGradient(0, 0, w, h);
  backdrop.addColorStop(0, `hsl(${hue} 45% 38%)`);
  backdrop.addColorStop(1, `hsl(${(hue + 40) % 360} 50% 18%)`);
  c.fillStyle = backdrop;
  c.fillRect(0, 0, w, h);
  // A soft window light, then a head-and-shoulders silhouette that breathes a little.
  const light = c.createRadialGradient(w * 0.8, h * 0.1, 0, w * 0.8, h * 0.1, w * 0.6);
  light.addColorStop(0, 'rgb(255 255 255 / 0.25)');
  light.addColorStop(1, 'rgb(255 255 255 / 0)');
  c.fillStyle = light;
  c.fillRect(0, 0, w, h);
  const sway = Math.sin(time / 900) * w * 0.006;
  const breath = Math.sin(time / 1400) * h * 0.006;
  c.fillStyle = `hsl(${(hue + 200) % 360} 25% 22%)`;
  c.beginPath();
  c.ellipse(w / 2 + sway, h * 1.02 + breath, w * 0.26, h * 0.36, 0, Math.PI, 0);
  c.fill();
  c.fillStyle = `hsl(28 35% 62%)`;
  c.beginPath();
  c.ellipse(w / 2 + sway, h * 0.46 + breath, h * 0.16, h * 0.2, 0, 0, Math.PI * 2);
  c.fill();
  c.fillStyle = `hsl(25 30% 22%)`;
  c.beginPath();
  c.ellipse(w / 2 + sway, h * 0.36 + breath, h * 0.17, h * 0.12, 0, Math.PI, 0);
  c.fill();
  if (label) {
    c.fillStyle = 'rgb(255 255 255 / 0.8)';
    c.font = `600 ${Math.round(h * 0.06)}px system-ui, sans-serif`;
    c.fillText(label, w * 0.04, h * 0.1);
  }
}

function paintScreen(c: CanvasRenderingContext2D, canvas: HTMLCanvasElement, label: string) {
  const { width: w, height: h } = canvas;
  c.fillStyle = '#f4f6f9';
  c.fillRect(0, 0, w, h);
  c.fillStyle = '#1f2937';
  c.fillRect(0, 0, w, h * 0.07);
  for (const [i, color] of ['#ef4444', '#f59e0b', '#22c55e'].entries()) {
    c.fillStyle = color;
    c.beginPath();
    c.arc(w * 0.02 + i * w * 0.018, h * 0.035, h * 0.011, 0, Math.PI * 2);
    c.fill();
  }
  c.fillStyle = '#111827';
  c.font = `700 ${Math.round(h * 0.07)}px system-ui, sans-serif`;
  c.fillText(label || 'Quarterly review', w * 0.07, h * 0.22);
  c.fillStyle = '#6b7280';
  c.font = `400 ${Math.round(h * 0.035)}px system-ui, sans-serif`;
  c.fillText('Calls answered within 30 seconds, by month', w * 0.07, h * 0.3);
  const bars = [0.42, 0.55, 0.51, 0.63, 0.7, 0.78, 0.74, 0.86];
  const base = h * 0.88;
  const bw = w * 0.06;
  for (const [i, value] of bars.entries()) {
    c.fillStyle = i === bars.length - 1 ? '#2563eb' : '#93c5fd';
    c.fillRect(w * 0.08 + i * bw * 1.5, base - value * h * 0.48, bw, value * h * 0.48);
  }
  c.fillStyle = '#d1d5db';
  c.fillRect(w * 0.07, base, w * 0.62, 2);
  c.fillStyle = '#e5e7eb';
  for (let i = 0; i < 5; i += 1) c.fillRect(w * 0.74, h * (0.4 + i * 0.09), w * (0.2 - (i % 2) * 0.05), h * 0.03);
}
