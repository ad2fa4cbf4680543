// The plugins compiled into husk. They are written against the same API as plugins on disk.
import * as bridge from "../../plugins/network/bridge/index.ts";
import * as cni from "../../plugins/network/cni/index.ts";
import * as host from "../../plugins/network/host/index.ts";
import * as netns from "../../plugins/network/netns/index.ts";
import * as none from "../../plugins/network/none/index.ts";
import * as localVolume from "../../plugins/volume/local/index.ts";
import type { PluginModule } from "./api.ts";

export const BUNDLED_PLUGINS: PluginModule[] = [bridge, cni, host, netns, none, localVolume] as PluginModule[];
