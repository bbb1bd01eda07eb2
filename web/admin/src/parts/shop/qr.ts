// Reading a resident's QR code: its content is exactly the order's redemption code (see
// aj74.shop.rules.new_redemption_code), decoded from camera frames or a photo with jsQR.
import jsQR from "jsqr";

/** A code as the API takes it: 26 characters of A–Z and 2–7 (spaces and dashes are dropped). */
export function cleanCode(text: string): string {
  return text.replace(/[\s-]/g, "").toUpperCase();
}

export function looksLikeCode(text: string): boolean {
  return /^[A-Z2-7]{26}$/.test(cleanCode(text));
}

/** The text of the QR code in an image, or null when none is found. */
export function decodeImage(image: ImageData, thorough = false): string | null {
  const found = jsQR(image.data, image.width, image.height, { inversionAttempts: thorough ? "attemptBoth" : "dontInvert" });
  return found && found.data ? found.data.trim() : null;
}

/** The pixels of `source` drawn into `canvas`, scaled down so that the long side is at most `max`. */
export function pixels(canvas: HTMLCanvasElement, source: CanvasImageSource, width: number, height: number,
  max = 1280): ImageData | null {
  const scale = Math.min(1, max / Math.max(width, height));
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  if (!ctx) return null;
  ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
  return ctx.getImageData(0, 0, canvas.width, canvas.height);
}

/** Why the camera could not start, for the cashier. */
export function cameraProblem(error: unknown): string {
  const name = error instanceof DOMException ? error.name : "";
  if (name === "NotAllowedError" || name === "SecurityError") {
    return "Доступ к камере не разрешён. Разрешите его в настройках браузера или загрузите фото QR-кода.";
  }
  if (name === "NotFoundError" || name === "OverconstrainedError") {
    return "Камера не найдена. Загрузите фото QR-кода или введите код вручную.";
  }
  if (name === "NotReadableError") return "Камера занята другим приложением. Закройте его и попробуйте ещё раз.";
  return "Не удалось включить камеру. Загрузите фото QR-кода или введите код вручную.";
}
