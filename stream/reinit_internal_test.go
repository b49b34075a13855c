package stream

import (
	"errors"
	"reflect"
	"testing"
)

// core.reinit resets field by field: every field but the kept options and side must come
// back zero, so a field added to core without a reset there fails here.
func TestCoreReinitResetsAll(t *testing.T) {
	kept := map[string]bool{"ticks": true, "r": true, "w": true, "impl": true, "destroyHook": true, "manualClose": true}
	var c core
	v := reflect.ValueOf(&c).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		f = reflect.NewAt(f.Type(), f.Addr().UnsafePointer()).Elem() // unexported: set anyway
		switch f.Kind() {
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Uint16:
			f.SetUint(7)
		case reflect.Pointer:
			f.Set(reflect.New(f.Type().Elem()))
		case reflect.Func:
			f.Set(reflect.MakeFunc(f.Type(), func([]reflect.Value) []reflect.Value {
				return make([]reflect.Value, f.Type().NumOut())
			}))
		case reflect.Interface:
			if f.Type() == reflect.TypeOf((*error)(nil)).Elem() {
				f.Set(reflect.ValueOf(errors.New("x")))
			} else {
				f.Set(reflect.ValueOf(nopImpl{}))
			}
		default:
			t.Fatalf("core.%s: a %s, which this test cannot fill", v.Type().Field(i).Name, f.Kind())
		}
	}
	c.d = nil // a standalone stream's core has none
	c.reinit()
	for i := 0; i < v.NumField(); i++ {
		name := v.Type().Field(i).Name
		if zero := v.Field(i).IsZero(); kept[name] == zero {
			t.Errorf("core.%s after reinit: zero is %v, want %v", name, zero, !kept[name])
		}
	}
}

type nopImpl struct{}

func (nopImpl) Read()                   {}
func (nopImpl) Pause()                  {}
func (nopImpl) Write([]byte, bool)      {}
func (nopImpl) Final()                  {}
func (nopImpl) Destroy(err error) error { return err }
