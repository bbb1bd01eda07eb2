// What a page says while it works: the live status line (empty when idle — tests and screen
// readers both rely on that), an error box, and a table that scrolls inside its own box.
import type { ComponentChildren } from "preact";
import { formatDateTime, ZONE_LABEL } from "../time";

export function StatusLine({ text }: { text: string }) {
  return <p id="status" class="status" role="status" aria-live="polite">{text}</p>;
}

export function ErrorBox({ text }: { text?: string | null }) {
  return <div id="error" class="notice notice-error" role="alert" hidden={!text}>{text ?? ""}</div>;
}

export function Notice({ children, kind = "info" }: { children: ComponentChildren; kind?: "info" | "error" }) {
  return <div class={`notice notice-${kind}`}>{children}</div>;
}

export function TableWrap({ label, children }: { label: string; children: ComponentChildren }) {
  // Focusable and labelled so a keyboard user can scroll a table wider than the screen (axe:
  // scrollable-region-focusable).
  return <div class="table-wrap" tabIndex={0} role="region" aria-label={label}>{children}</div>;
}

/** A time for people: дд.мм.гггг чч:мм in Chelyabinsk, with the zone in a tooltip-free way. */
export function Time({ value, labelled = false }: { value?: string | null; labelled?: boolean }) {
  if (!value) return <span>—</span>;
  return (
    <time dateTime={value} class="nowrap">
      {formatDateTime(value)}{labelled && <span class="zone-note"> ({ZONE_LABEL})</span>}
    </time>
  );
}
