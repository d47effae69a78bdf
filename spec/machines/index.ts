export { runMachine, type RunEvent } from './run.ts';
export { workflowMachine, type WorkflowEvent } from './workflow.ts';
export { taskMachine, type TaskEvent } from './task.ts';
export { commandMachine, type CommandEvent } from './command.ts';
export { instanceMachine, type InstanceEvent } from './instance.ts';
