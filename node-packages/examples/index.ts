// A node package: node types Parley loads from outside flows/nodes/ when PARLEY_NODE_PACKAGES
// names this folder (docs/custom-nodes.md). Built only with the node SDK (flows/define-node.ts).
import { nodePackage } from "@/flows/define-node";
import sheetsAppend from "./sheets_append";
import shopifyOrderStatus from "./shopify_order_status";

export default nodePackage(shopifyOrderStatus, sheetsAppend);
