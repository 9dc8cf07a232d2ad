// Starting points for new objects (the "New" menu). `{{namespace}}` becomes the selected one.
export interface Template {
  kind: string;
  yaml: string;
}

const t = (kind: string, yaml: string): Template => ({ kind, yaml });

export const TEMPLATES: Template[] = [
  t('Deployment', `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: {{namespace}}
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - containerPort: 80
          resources:
            requests:
              cpu: 100m
              memory: 64Mi
`),
  t('Service', `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: {{namespace}}
spec:
  type: ClusterIP
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: 80
`),
  t('ConfigMap', `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: {{namespace}}
data:
  mode: production
`),
  t('Secret', `apiVersion: v1
kind: Secret
metadata:
  name: credentials
  namespace: {{namespace}}
type: Opaque
stringData:
  password: change-me
`),
  t('Job', `apiVersion: batch/v1
kind: Job
metadata:
  name: once
  namespace: {{namespace}}
spec:
  completions: 1
  backoffLimit: 3
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: main
          image: busybox:1.36
          command: ["sh", "-c", "echo hello"]
`),
  t('CronJob', `apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
  namespace: {{namespace}}
spec:
  schedule: "0 3 * * *"
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: main
              image: busybox:1.36
              command: ["sh", "-c", "date"]
`),
  t('Namespace', `apiVersion: v1
kind: Namespace
metadata:
  name: lab
`),
  t('Pod', `apiVersion: v1
kind: Pod
metadata:
  name: shell
  namespace: {{namespace}}
spec:
  containers:
    - name: shell
      image: busybox:1.36
      command: ["sleep", "infinity"]
`),
  t('PersistentVolumeClaim', `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
  namespace: {{namespace}}
spec:
  accessModes: ["ReadWriteOnce"]
  resources:
    requests:
      storage: 1Gi
`),
  t('ServiceAccount', `apiVersion: v1
kind: ServiceAccount
metadata:
  name: robot
  namespace: {{namespace}}
`),
];

export function templateText(template: Template, namespace: string): string {
  return template.yaml.replaceAll('{{namespace}}', namespace || 'default');
}
