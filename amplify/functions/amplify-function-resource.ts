import type { IFunction } from 'aws-cdk-lib/aws-lambda';

/** An Amplify function as the backend wires it: its Lambda and its environment setter. */
export interface AmplifyFunctionResource {
  resources: { lambda: IFunction };
  addEnvironment: (name: string, value: string) => void;
}
