/** The commented `airlock.yaml` that `airlock init` writes. Kept valid: a test parses it. */
export const INIT_TEMPLATE = `# airlock.yaml — what Airlock knows about your systems.
# Every field is optional; see docs/configuration.md. Patterns are globs: * matches anything.

server:
  host: 127.0.0.1        # where \`airlock up\` listens (API and web UI)
  port: 7070

# Where actions land. An action whose environment cannot be resolved is treated as
# protected (change \`unresolved\` to "unprotected" only on a machine that reaches nothing real).
unresolved: protected

environments:
  prod:
    protected: true       # protected: disruptive, destructive and unknown actions need approval
    criticality: critical
    match:
      kubeContexts: ["prod-*", "*-production"]
      namespaces: ["payments", "checkout"]
      awsProfiles: ["prod"]
      gcpProjects: ["acme-prod"]
      databaseHosts: ["db.prod.internal", "*.prod.internal:5432"]
      hostnames: ["*.prod.example.com"]
  staging:
    protected: false
    match:
      kubeContexts: ["staging-*"]
      awsProfiles: ["staging"]
  dev:
    protected: false
    match:
      kubeContexts: ["kind-*", "minikube", "docker-desktop"]
      databaseHosts: ["localhost", "127.0.0.1"]
      # local: true      # uncomment on a developer machine: commands that reach nothing
                         # remote (local files, local processes) belong to this environment

# What the agent cannot see: shown in every decision and told to the agent.
resources:
  - name: payments-api
    environment: prod
    criticality: critical
    owners: ["team-payments"]
    dependants: ["checkout", "billing", "partner webhooks"]
    downtimeCostPerHour: 50000
    notes: "Card authorisations fail while it is down."
    match:
      namespaces: ["payments"]

# Paths that hold data not in version control (deleting or overwriting them loses data).
dataPaths: ["/srv/data", "/var/lib/app"]

policies:
  defaultPack: true       # reads and reversible writes allowed; risky changes in protected
                          # environments held for two approvals; catastrophic ones denied
  paths: []               # your own .cedar files or directories, e.g. ["policies/"]
`;
