/**
 * Where attribution has to look again after a step: visitors and customers whose activity
 * changed, each with the earliest time from which their orders can be affected (`null`: all).
 */
export interface Seeds {
  visitors: Map<string, number | null>;
  customers: Map<string, number | null>;
}

export const noSeeds = (): Seeds => ({ visitors: new Map(), customers: new Map() });
