// The base of `husk plugin ...`: the plugin registry of --root/--data-root. It does not
// reach for the network or volume managers: listing plugins needs neither.
import { PluginRegistry } from "../../plugin/registry.ts";
import { RootsCommand } from "../roots-command.ts";

export abstract class PluginBaseCommand extends RootsCommand {
  private reg?: PluginRegistry;
  protected registry(): PluginRegistry {
    return (this.reg ??= new PluginRegistry({ root: this.root, dataRoot: this.dataRoot }));
  }
}
