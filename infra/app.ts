import { App } from 'aws-cdk-lib';
import { acknowledgeNagFindings, registerNagChecks } from './nag.js';
import { LeadHubStack } from './stacks/leadhub-stack.js';

// Region only: the stack needs no account lookups, so `cdk synth` works offline without credentials.
const region = process.env.CDK_DEFAULT_REGION ?? process.env.AWS_REGION ?? 'us-east-1';

const app = new App();
// Config file and deletion protection come from CDK context (-c configFile=… -c deletionProtection=false).
const stack = new LeadHubStack(app, 'LeadHub', {
  env: { region },
  description: 'LeadHub: self-hosted lead-ads integration hub',
});
acknowledgeNagFindings(stack);
registerNagChecks(app);
app.synth();
