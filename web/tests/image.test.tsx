import { render } from "preact";
import { act } from "preact/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Api } from "../shared/api/client";
import { IMAGE_MESSAGES, ImageField, fileProblem, imageReady, imageRef, uploadProblem } from "../shared/ui/image";

describe("a file is checked before anything is sent", () => {
  it("accepts JPEG, PNG and WebP up to 5 MB", () => {
    for (const type of ["image/jpeg", "image/png", "image/webp"]) expect(fileProblem({ type, size: 1000 })).toBeNull();
    expect(fileProblem({ type: "image/png", size: 5 * 1024 * 1024 })).toBeNull();
  });
  it("refuses other types, empty files and files over 5 MB in Russian", () => {
    expect(fileProblem({ type: "image/gif", size: 10 })).toBe(IMAGE_MESSAGES.wrongType);
    expect(fileProblem({ type: "text/plain", size: 10 })).toBe(IMAGE_MESSAGES.wrongType);
    expect(fileProblem({ type: "image/jpeg", size: 0 })).toBe(IMAGE_MESSAGES.empty);
    expect(fileProblem({ type: "image/jpeg", size: 5 * 1024 * 1024 + 1 })).toBe(IMAGE_MESSAGES.tooLarge);
  });
});

describe("S3's refusals of the upload", () => {
  it("name the reason the policy gave", () => {
    expect(uploadProblem(400, "<Error><Code>EntityTooLarge</Code></Error>")).toBe(IMAGE_MESSAGES.tooLarge);
    expect(uploadProblem(403, "<Error><Code>AccessDenied</Code><Message>Invalid according to Policy: Policy expired.</Message></Error>"))
      .toBe(IMAGE_MESSAGES.expired);
    expect(uploadProblem(500, "")).toContain("код 500");
  });
});

describe("the value the parent sends", () => {
  it("is the id and the trimmed alt text, or null", () => {
    expect(imageRef({ id: "01J", url: "https://cdn/media/01J", alt: " Сквер " })).toEqual({ id: "01J", alt: "Сквер" });
    expect(imageRef(null)).toBeNull();
  });
  it("is ready only with alt text", () => {
    expect(imageReady(null)).toBe(true);
    expect(imageReady({ id: "01J", url: "u", alt: "  " })).toBe(false);
  });
});

describe("<ImageField>", () => {
  afterEach(() => render(null, document.body));
  const api = {} as Api;

  it("shows the image with its alt text, asks for the alt text and can remove the image", () => {
    const onChange = vi.fn();
    act(() => render(<ImageField id="cover" label="Обложка" api={api} onChange={onChange}
      value={{ id: "01J", url: "https://cdn.example/media/01J", alt: "Сквер у ДК" }} />, document.body));

    const img = document.querySelector("img")!;
    expect(img.getAttribute("src")).toBe("https://cdn.example/media/01J");
    expect(img.getAttribute("alt")).toBe("Сквер у ДК");
    const alt = document.querySelector<HTMLInputElement>("#cover-alt")!;
    expect(alt.required).toBe(true);
    expect(document.querySelector("label[for=cover-alt]")!.textContent).toBe("Описание изображения");
    const file = document.querySelector<HTMLInputElement>("#cover-file")!;
    expect(file.accept).toBe("image/jpeg,image/png,image/webp");

    act(() => document.querySelector<HTMLButtonElement>(".image-remove")!.click());
    expect(onChange).toHaveBeenCalledWith(null);
  });

  it("shows the API's error beside the field, once", () => {
    act(() => render(<ImageField id="cover" label="Обложка" api={api} onChange={() => {}} value={null}
      error="изображение не найдено: загрузите его заново" />, document.body));
    expect(document.querySelectorAll(".field-error")).toHaveLength(1);
    expect(document.querySelector("#cover-file")!.getAttribute("aria-invalid")).toBe("true");
    expect(document.querySelector("img")).toBeNull();
  });

  it("uploads a picked file straight to S3, confirms it and hands the parent the clean image", async () => {
    const sent: { url: string; names: string[] } = { url: "", names: [] };
    class FakeXhr {
      status = 204; responseText = ""; upload = { onprogress: null as null | ((e: unknown) => void) };
      onload: null | (() => void) = null; onerror: null | (() => void) = null; url = "";
      open(_method: string, url: string) { this.url = url; }
      send(form: FormData) {
        sent.url = this.url;
        sent.names = [...form.keys()];
        this.upload.onprogress?.({ lengthComputable: true, loaded: 5, total: 10 });
        queueMicrotask(() => this.onload?.());
      }
    }
    vi.stubGlobal("XMLHttpRequest", FakeXhr);
    const calls: string[] = [];
    const fake = {
      POST: async (path: string) => {
        calls.push(path);
        const ok = new Response(null, { status: 200 });
        return path === "/v1/admin/media"
          ? { data: { id: "01JX", upload: { url: "http://s3.local/bucket", fields: { key: "uploads/01JX", policy: "p" } },
              max_bytes: 5, content_types: [] }, response: ok }
          : { data: { id: "01JX", url: "http://s3.local/bucket/media/01JX" }, response: ok };
      },
    } as unknown as Api;
    const onChange = vi.fn();
    act(() => render(<ImageField id="cover" label="Обложка" api={fake} onChange={onChange} value={null} />, document.body));

    const input = document.querySelector<HTMLInputElement>("#cover-file")!;
    const file = new File([new Uint8Array([0xff, 0xd8, 0xff, 0])], "photo.jpg", { type: "image/jpeg" });
    Object.defineProperty(input, "files", { value: [file] });
    await act(async () => { input.dispatchEvent(new Event("change")); });
    await vi.waitFor(() => expect(onChange).toHaveBeenCalled());

    expect(calls).toEqual(["/v1/admin/media", "/v1/admin/media/{media_id}/confirm"]);
    expect(sent.url).toBe("http://s3.local/bucket");
    expect(sent.names).toEqual(["key", "policy", "Content-Type", "file"]); // the file goes last
    expect(onChange).toHaveBeenCalledWith({ id: "01JX", url: "http://s3.local/bucket/media/01JX", alt: "" });
    vi.unstubAllGlobals();
  });

  it("refuses a file of another type before sending anything", async () => {
    const fake = { POST: vi.fn() } as unknown as Api;
    act(() => render(<ImageField id="cover" label="Обложка" api={fake} onChange={() => {}} value={null} />, document.body));
    const input = document.querySelector<HTMLInputElement>("#cover-file")!;
    Object.defineProperty(input, "files", { value: [new File(["GIF89a"], "a.gif", { type: "image/gif" })] });
    await act(async () => { input.dispatchEvent(new Event("change")); });

    expect(document.querySelector("#cover-error")!.textContent).toBe(IMAGE_MESSAGES.wrongType);
    expect((fake as unknown as { POST: ReturnType<typeof vi.fn> }).POST).not.toHaveBeenCalled();
  });
});
