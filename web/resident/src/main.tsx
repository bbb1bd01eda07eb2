// The resident app: one page, hash routes, a screen per route. Screens that need the resident's
// token send a signed-out visitor to sign in first and back afterwards; the vote check is open to
// anyone (a final poll's result, ballot list and proofs hold nothing personal).
import { render, type FunctionComponent } from "preact";
import "./styles/app.css";
import { useRoute, type Route } from "./app/router";
import { signedIn } from "./app/session";
import { CheckScreen } from "./screens/check";
import { EventsScreen } from "./screens/events";
import { FeedItemScreen, FeedScreen } from "./screens/feed";
import { PollScreen } from "./screens/poll";
import { PollsScreen } from "./screens/polls";
import { ProfileScreen } from "./screens/profile";
import { RewardsScreen } from "./screens/rewards";
import { SignInScreen } from "./screens/signin";

type ScreenEntry = { component: FunctionComponent<{ route: Route }>; open?: boolean };

const SCREENS: Record<string, ScreenEntry> = {
  polls: { component: PollsScreen },
  feed: { component: FeedScreen },
  events: { component: EventsScreen },
  rewards: { component: RewardsScreen },
  profile: { component: ProfileScreen },
  check: { component: CheckScreen, open: true },
  signin: { component: SignInScreen, open: true },
};

function App() {
  const route = useRoute();
  const [first, second] = route.segments;
  const screen: ScreenEntry = first === "polls" && second ? { component: PollScreen }
    : first === "feed" && second ? { component: FeedItemScreen }
    : SCREENS[first ?? "polls"] ?? SCREENS.polls;
  if (!screen.open && !signedIn()) {
    return <SignInScreen route={{ ...route, query: new URLSearchParams({ next: window.location.hash }) }} />;
  }
  const Component = screen.component;
  // A new screen starts at the top, as a new page would.
  return <Component key={route.path} route={route} />;
}

render(<App />, document.getElementById("app")!);

window.addEventListener("hashchange", () => window.scrollTo(0, 0));

if ("serviceWorker" in navigator && import.meta.env.PROD) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
    // Without a worker the app still works online; offline it cannot open.
  });
}
