// What the desk, the queue and the bulletin console all need besides their items: the territory
// tree (for names and pickers) and the role titles the history shows (both from the API).
import { data } from "@shared/api/client";
import { useLoad } from "@shared/ui/load";
import { useBusy, useStaff } from "../../shell/staff";
import { territoryNames, type Territory } from "../territories";

export type DeskData = {
  territories: Territory[];
  roleTitles: Record<string, string>;
  names: (ids: readonly string[]) => string[];
};

export function useDeskData(): { desk: DeskData | undefined; error: string | null } {
  const { api } = useStaff();
  const loaded = useLoad(async () => {
    const [tree, roles] = await Promise.all([data(api.GET("/v1/territories")), data(api.GET("/v1/roles"))]);
    const territories = tree.territories as Territory[];
    const roleTitles = Object.fromEntries(roles.items.map((r) => [r.role, r.title]));
    return { territories, roleTitles, names: (ids: readonly string[]) => territoryNames(territories, ids) };
  }, []);
  useBusy("desk-data", loaded.loading);
  return { desk: loaded.data, error: loaded.error };
}
