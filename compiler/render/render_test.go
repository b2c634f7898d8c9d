package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func objects() []runtime.Object {
	pod := &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop", Labels: map[string]string{"z": "1", "a": "2", "m": "3"}},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "web", Image: "nginx:1.27.3"}},
			Volumes:    []corev1.Volume{{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}},
		},
	}
	dep := &appsv1.Deployment{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"}, ObjectMeta: metav1.ObjectMeta{Name: "web"}}
	svc := &corev1.Service{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Service"}, ObjectMeta: metav1.ObjectMeta{Name: "web"}}
	return []runtime.Object{pod, dep, svc}
}

func TestYAMLIsCleanAndSorted(t *testing.T) {
	ms, err := Objects(objects(), YAML)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 3 || ms[0].Kind != "Pod" || ms[0].Namespace != "shop" || ms[1].APIVersion != "apps/v1" {
		t.Fatalf("manifests = %+v", ms)
	}
	pod := string(ms[0].Content)
	for _, gone := range []string{"status", "creationTimestamp", "resources: {}", "null"} {
		if strings.Contains(pod, gone) {
			t.Errorf("pod YAML has %q:\n%s", gone, pod)
		}
	}
	if !strings.Contains(pod, "emptyDir: {}") {
		t.Errorf("an empty emptyDir must be kept:\n%s", pod)
	}
	if a, m, z := strings.Index(pod, "a: \"2\""), strings.Index(pod, "m: \"3\""), strings.Index(pod, "z: \"1\""); !(a < m && m < z) {
		t.Errorf("labels are not sorted:\n%s", pod)
	}
	for _, m := range ms[1:] {
		if strings.Contains(string(m.Content), "{}") {
			t.Errorf("%s keeps an empty object:\n%s", m.Kind, m.Content)
		}
	}
}

func TestDeterministic(t *testing.T) {
	first, err := Objects(objects(), YAML)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		again, _ := Objects(objects(), YAML)
		if !bytes.Equal(Stream(first, YAML), Stream(again, YAML)) {
			t.Fatal("rendering is not deterministic")
		}
	}
}

// TestReusedStateRendersAlike renders objects of different sizes in turn
// and at once: the JSON buffer and parser arenas one render leaves behind
// must never show in another's output.
func TestReusedStateRendersAlike(t *testing.T) {
	objs := objects()
	big := objs[0].(*corev1.Pod).DeepCopy()
	for i := range arenaChunk + 100 { // one object larger than an arena chunk
		big.Labels[fmt.Sprintf("key-%04d", i)] = strings.Repeat("v", i%40)
	}
	objs = append(objs, big)
	want := make([][]byte, len(objs))
	for i, o := range objs {
		b, err := One(o, YAML)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = b
	}
	if bytes.Equal(want[0], want[3]) {
		t.Fatal("the large pod renders as the small one")
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range 200 {
				i := (n*7 + g) % len(objs)
				got, err := One(objs[i], YAML)
				if err != nil {
					t.Error(err)
					return
				}
				if !bytes.Equal(got, want[i]) {
					t.Errorf("object %d rendered differently after others:\n%s\nwant\n%s", i, got, want[i])
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestJSONStream(t *testing.T) {
	ms, err := Objects(objects(), JSON)
	if err != nil {
		t.Fatal(err)
	}
	var list []map[string]any
	if err := json.Unmarshal(Stream(ms, JSON), &list); err != nil {
		t.Fatalf("stream is not a JSON list: %v", err)
	}
	if len(list) != 3 || list[2]["kind"] != "Service" {
		t.Errorf("list = %v", list)
	}
	ys, _ := Objects(objects(), YAML)
	if got := strings.Count(string(Stream(ys, YAML)), "---\n"); got != 3 {
		t.Errorf("YAML stream has %d documents, want 3", got)
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"": YAML, "yaml": YAML, "json": JSON} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseFormat("xml"); err == nil {
		t.Error("xml accepted")
	}
}

// An empty label or namespace selector selects everything, where none
// selects nothing: it is kept.
func TestEmptySelectorsKept(t *testing.T) {
	pod := &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}, ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: corev1.PodSpec{
			Containers:                []corev1.Container{{Name: "web", Image: "nginx:1.27.3"}},
			TopologySpreadConstraints: []corev1.TopologySpreadConstraint{{TopologyKey: "zone", LabelSelector: &metav1.LabelSelector{}}},
			Affinity: &corev1.Affinity{PodAffinity: &corev1.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{
				{TopologyKey: "zone", LabelSelector: &metav1.LabelSelector{}, NamespaceSelector: &metav1.LabelSelector{}}}}},
		}}
	b, err := One(pod, YAML)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "labelSelector: {}"); n != 2 || !strings.Contains(string(b), "namespaceSelector: {}") {
		t.Errorf("empty selectors dropped:\n%s", b)
	}
}

// TestPrepareAlongsideRendering: readying the encoders on another
// goroutine changes nothing of what is rendered meanwhile (run with -race).
func TestPrepareAlongsideRendering(t *testing.T) {
	want, err := Objects(objects(), YAML)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); Prepare() }()
	got, err := Objects(objects(), YAML)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(Stream(got, YAML), Stream(want, YAML)) {
		t.Error("rendering beside Prepare differs")
	}
}

// TestSnapshotRendersObjectsAsTaken: a snapshot renders as Objects does,
// and as the objects were when it was taken, whatever is done to them
// after.
func TestSnapshotRendersObjectsAsTaken(t *testing.T) {
	for _, f := range []Format{YAML, JSON} {
		objs := objects()
		want, err := Objects(objs, f)
		if err != nil {
			t.Fatal(err)
		}
		s, err := Take(objs)
		if err != nil {
			t.Fatal(err)
		}
		pod := objs[0].(*corev1.Pod)
		pod.Name = "changed"
		pod.Labels["z"] = "changed"
		pod.Spec.Containers[0].Image = "changed:1"
		got, err := s.Render(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%d manifests, want %d", len(got), len(want))
		}
		for i := range want {
			if got[i].Kind != want[i].Kind || got[i].APIVersion != want[i].APIVersion || got[i].Name != want[i].Name || got[i].Namespace != want[i].Namespace || !bytes.Equal(got[i].Content, want[i].Content) {
				t.Errorf("format %d, manifest %d: %+v\nwant %+v", f, i, got[i], want[i])
			}
		}
		if bytes.Contains(Stream(got, f), []byte("changed")) {
			t.Errorf("a change after the snapshot shows in it")
		}
		if again, err := s.Render(f); err == nil || again != nil {
			t.Errorf("a snapshot rendered twice: %v, %d manifests", err, len(again))
		}
	}
}

// TestAPIVersionAsGroupVersionWritesIt: the API versions written without
// making a string read as GroupVersion.String writes them.
func TestAPIVersionAsGroupVersionWritesIt(t *testing.T) {
	for _, gv := range []schema.GroupVersion{
		appsv1.SchemeGroupVersion, corev1.SchemeGroupVersion, policyv1.SchemeGroupVersion,
		autoscalingv2.SchemeGroupVersion, networkingv1.SchemeGroupVersion, {Group: "example.com", Version: "v1beta1"},
	} {
		if got, want := apiVersion(gv), gv.String(); got != want {
			t.Errorf("apiVersion(%#v) = %q, want %q", gv, got, want)
		}
	}
}
