// The React Flow node components of every canvas, the editor's and the read-only ones.
import { FlowNodeComponent } from "./flow-node";
import { NoteNodeComponent } from "./note-node";

export const NODE_TYPES = { flow: FlowNodeComponent, note: NoteNodeComponent };
