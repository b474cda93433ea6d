// Package kinds uses a C name of every kind cgo tells apart, for
// scripts/cgocc's test: types, functions, variables and constants, some
// behind macros, some behind typedefs that cgo only finds on its second look.
package kinds

/*
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

typedef int count;
typedef struct point { count x, y; } point;
typedef void (*callback)(int);
typedef float vec4[4];
typedef struct opaque opaque_t;
enum colour { RED, GREEN = 5 };
typedef enum colour colour_t;
typedef struct { point corner; colour_t fill; callback on_draw; } shape;

int counter;
const char *label = "x";
double scale = 1.5;
point origin;
vec4 white;
callback on_event;

static int add(int a, int b) { return a + b; }
static void noop(void) {}
static point make_point(count x, count y) { point p = {x, y}; return p; }
static shape unit_shape(void) { shape s = {{0, 0}, GREEN, 0}; return s; }

#define LIMIT 42
#define NEG_LIMIT (-7)
#define SUM (LIMIT + 1)
#define RATIO 0.25
#define GREETING "hello"
#define LETTER 'q'
#define POINT_T point
#define SCALE_VAR scale
*/
import "C"

import "unsafe"

var (
	_ C.count
	_ C.point
	_ C.POINT_T
	_ C.callback
	_ C.vec4
	_ *C.opaque_t
	_ C.colour_t
	_ C.enum_colour
	_ C.struct_point
	_ C.shape
	_ C.uint
	_ C.size_t
	_ C.int32_t
	_ C.uintptr_t
)

func use() {
	_ = C.counter
	_ = C.label
	_ = C.scale
	_ = C.SCALE_VAR
	_ = C.origin
	_ = C.white
	_ = C.on_event
	_ = C.add(1, 2)
	C.noop()
	_ = C.make_point(1, 2)
	_ = C.unit_shape()
	_ = C.RED
	_ = C.GREEN
	_ = C.LIMIT
	_ = C.NEG_LIMIT
	_ = C.SUM
	_ = C.RATIO
	_ = C.GREETING
	_ = C.LETTER
	s := C.CString("x")
	C.free(unsafe.Pointer(s))
}
