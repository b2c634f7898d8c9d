package policy

// Vet checks the bundle in dir: it must compile, declare its profiles and
// give every rule concrete metadata. The error, a *LoadError, lists every
// problem with its file:line:column.
func Vet(dir string) error {
	_, err := LoadDir(dir)
	return err
}
