// The QR reader of the counter: the camera (frames drawn to a canvas and decoded a few times a
// second) or, where there is no camera or no permission, a photo of the code.
import { useEffect, useRef, useState } from "preact/hooks";
import { cameraProblem, decodeImage, pixels } from "./qr";

const FRAME_MS = 150;

export function QrReader({ onCode }: { onCode: (text: string) => void }) {
  const video = useRef<HTMLVideoElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const file = useRef<HTMLInputElement>(null);
  const stream = useRef<MediaStream | null>(null);
  const timer = useRef<number | null>(null);
  const [on, setOn] = useState(false);
  const [note, setNote] = useState<{ text: string; error: boolean } | null>(null);
  const hasCamera = typeof navigator !== "undefined" && !!navigator.mediaDevices?.getUserMedia;

  const stop = () => {
    if (timer.current !== null) window.clearTimeout(timer.current);
    timer.current = null;
    stream.current?.getTracks().forEach((t) => t.stop());
    stream.current = null;
    if (video.current) video.current.srcObject = null;
    setOn(false);
  };
  useEffect(() => stop, []);

  const found = (text: string) => {
    setNote({ text: "QR-код считан.", error: false });
    onCode(text);
  };

  const tick = () => {
    const v = video.current;
    const c = canvas.current;
    if (!v || !c || !stream.current) return;
    if (v.readyState >= v.HAVE_CURRENT_DATA && v.videoWidth) {
      const image = pixels(c, v, v.videoWidth, v.videoHeight, 800);
      const text = image && decodeImage(image);
      if (text) {
        stop();
        found(text);
        return;
      }
    }
    timer.current = window.setTimeout(tick, FRAME_MS);
  };

  const start = async () => {
    setNote(null);
    try {
      const media = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      stream.current = media;
      setOn(true);
      const v = video.current!;
      v.srcObject = media;
      await v.play();
      setNote({ text: "Наведите камеру на QR-код жителя.", error: false });
      tick();
    } catch (e) {
      stop();
      setNote({ text: cameraProblem(e), error: true });
    }
  };

  const fromFile = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    input.value = "";
    if (!file || !canvas.current) return;
    setNote(null);
    try {
      const bitmap = await createImageBitmap(file);
      const image = pixels(canvas.current, bitmap, bitmap.width, bitmap.height);
      bitmap.close();
      const text = image && decodeImage(image, true);
      if (text) found(text);
      else setNote({ text: "На фото не найден QR-код. Сфотографируйте код крупнее и без бликов или введите его вручную.", error: true });
    } catch {
      setNote({ text: "Не удалось открыть файл как изображение.", error: true });
    }
  };

  return (
    <section id="reader" class="qr-reader" aria-labelledby="reader-heading">
      <h2 id="reader-heading">Считать QR-код</h2>
      <div class="actions">
        {hasCamera && (on
          ? <button id="camera-stop" class="button button-secondary" type="button" onClick={stop}>Выключить камеру</button>
          : <button id="camera-start" class="button" type="button" onClick={start}>Включить камеру</button>)}
        <button id="qr-photo" class="button button-secondary" type="button" onClick={() => file.current?.click()}>
          Загрузить фото кода
        </button>
        <input ref={file} id="qr-file" type="file" accept="image/*" capture="environment" hidden
          onChange={(e) => fromFile(e.currentTarget)} />
      </div>
      {!hasCamera && <p class="muted">Камера в этом браузере недоступна: загрузите фото QR-кода или введите код.</p>}
      <video ref={video} class="qr-video" hidden={!on} muted playsInline aria-label="Изображение с камеры" />
      <canvas ref={canvas} class="qr-canvas" hidden aria-hidden="true" />
      {note && <p id="reader-note" class={note.error ? "notice notice-error" : "muted"} role="status">{note.text}</p>}
    </section>
  );
}
