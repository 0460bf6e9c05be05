/** Connection details and handles of the local data plane (DynamoDB Local, AppSync simulator, cognito-local). */
export interface DataPlane {
  dynamodb: { endpoint: string; region: string; jobTableName: string; jobTableStreamArn: string };
  cognito: {
    endpoint: string;
    region: string;
    userPoolId: string;
    userPoolClientId: string;
    /** Creates a confirmed user (idempotent: an existing user keeps working). */
    createUser(email: string, password: string): Promise<void>;
    /** Signs in with USER_PASSWORD_AUTH and returns the JWTs. */
    signIn(email: string, password: string): Promise<{ idToken: string; accessToken: string }>;
  };
  graphql: { url: string; realtimeUrl: string; region: string; apiKey?: undefined };
  /** Credentials the local render worker signs its IAM (SigV4) GraphQL requests with. */
  workerCredentials: { accessKeyId: string; secretAccessKey: string };
  /** Stops every process and server this plane started. */
  stop(): Promise<void>;
}

/** Options of {@link startDataPlane}. */
export interface DataPlaneOptions {
  /** Folder for on-disk state (DynamoDB data, cognito-local pools), e.g. `.local/`. */
  dataDir: string;
  /** Ports to listen on; 0 or absent picks a free one. */
  ports?: { dynamodb?: number; cognito?: number; graphql?: number };
  /** Handlers of Lambda-backed custom queries, by field name or function name. */
  lambdaResolvers?: Record<string, (event: unknown) => Promise<unknown>>;
  log?: (line: string) => void;
}

/** Starts DynamoDB Local, cognito-local and the AppSync simulator; resolves once all are ready. */
export async function startDataPlane(options: DataPlaneOptions): Promise<DataPlane> {
  void options;
  throw new Error('startDataPlane: not implemented yet (issue 5, data plane in progress)');
}
