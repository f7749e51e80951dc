import { describe, expect, it } from 'vitest';
import { analyseToolName, normaliseKind, singular, tokenize } from './tool-name.js';

describe('tokenize', () => {
  it.each([
    ['slack_get_channel_history', ['slack', 'get', 'channel', 'history']],
    ['API-post-search', ['api', 'post', 'search']],
    ['deleteProject', ['delete', 'project']],
    ['APIPostSearch', ['api', 'post', 'search']],
    ['drop-collection', ['drop', 'collection']],
    ['k8s.pods/delete', ['k8s', 'pods', 'delete']],
  ])('%s', (name, words) => {
    expect(tokenize(name)).toEqual(words);
  });
});

describe('analyseToolName', () => {
  it.each([
    // [server, tool, verbs, verb class, head object]
    ['slack', 'slack_get_channel_history', ['get'], 'read', 'history'],
    ['notion', 'API-post-search', ['search'], 'read', undefined],
    ['notion', 'API-post-page', ['post'], 'create', 'page'],
    ['kubernetes', 'pods_delete', ['delete'], 'delete', 'pod'],
    ['kubernetes', 'pods_list_in_namespace', ['list'], 'read', 'pod'],
    ['kubernetes', 'resources_create_or_update', ['create', 'update'], 'create', 'resource'],
    ['mcp-server-kubernetes', 'kubectl_delete', ['delete'], 'delete', undefined],
    ['git', 'git_log', ['log'], 'read', undefined],
    ['github', 'get_commit', ['get'], 'read', 'commit'],
    ['k8s', 'delete_pod_in_namespace', ['delete'], 'delete', 'pod'],
    ['k8s', 'delete_cluster_role', ['delete'], 'delete', 'role'],
    ['acme', 'sync_state', [], undefined, 'state'],
  ] as const)('%s/%s', (server, tool, verbs, cls, head) => {
    const a = analyseToolName(server, tool);
    expect(a.verbs).toEqual(verbs);
    expect(a.verbClass).toBe(cls);
    expect(a.objects[a.objects.length - 1]).toBe(head);
  });

  it('keeps a prefix that is the object itself (a server called "database")', () => {
    expect(analyseToolName('database', 'database_drop').objects).toEqual(['database']);
    expect(analyseToolName('slack', 'slack_post_message').core).toEqual(['post', 'message']);
  });

  it('marks umbrella verbs, qualifiers and read nouns', () => {
    expect(analyseToolName('k', 'kubectl_rollout').umbrella).toBe(true);
    expect([...analyseToolName('x', 'force_delete_all_pods').qualifiers].sort()).toEqual(['all', 'force']);
    expect(analyseToolName('git', 'git_status').fromReadNoun).toBe(true);
  });
});

describe('singular and normaliseKind', () => {
  it.each([
    ['namespaces', 'namespace'],
    ['repositories', 'repository'],
    ['pods', 'pod'],
    ['indexes', 'index'],
    ['ns', 'ns'],
    ['class', 'class'],
  ])('singular(%s) = %s', (w, s) => expect(singular(w)).toBe(s));
  it.each([
    ['Namespace', 'namespace'],
    ['ns', 'namespace'],
    ['deployments.apps', 'deployment'],
    ['apps/v1', 'app'],
    ['PVC', 'persistentvolumeclaim'],
    ['pvcs', 'persistentvolumeclaim'],
    ['CustomResourceDefinition', 'customresourcedefinition'],
    ['crds', 'customresourcedefinition'],
  ])('normaliseKind(%s) = %s', (k, n) => expect(normaliseKind(k)).toBe(n));
});
