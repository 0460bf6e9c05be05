import { generateModelsSync } from '@aws-amplify/graphql-generator';

/**
 * The `data.model_introspection` block of `amplify_outputs.json` for a data-schema SDL, generated the way
 * `defineData` generates it in the cloud; `generateClient<Schema>()` needs it to build `client.models`.
 */
export function generateModelIntrospection(sdl: string): Record<string, unknown> {
  const output = generateModelsSync({ schema: sdl, target: 'introspection' })[
    'model-introspection.json'
  ];
  if (!output)
    throw new Error(
      'generateModelIntrospection: the generator produced no model-introspection.json',
    );
  return JSON.parse(output) as Record<string, unknown>;
}
