// Small pieces the poll pages share: the page's own error box and a hint for a withheld button.
import type { ComponentChildren } from "preact";
import { Time } from "@shared/ui/feedback";
import { ZONE_LABEL } from "@shared/time";

/** A page-part error (the frame's #error box is the frame's own). */
export function PageError({ text, id }: { text?: string | null; id?: string }) {
  if (!text) return null;
  return <div id={id} class="notice notice-error" role="alert">{text}</div>;
}

/** Why a button is not there or disabled, right where it would be. */
export function Reason({ children, id }: { children: ComponentChildren; id?: string }) {
  return <p id={id} class="disabled-reason">{children}</p>;
}

/** A time with «по челябинскому времени» after it, free to wrap between the two on a phone. */
export function ZonedTime({ value }: { value?: string | null }) {
  return <><Time value={value} /><span class="zone-note"> ({ZONE_LABEL})</span></>;
}
