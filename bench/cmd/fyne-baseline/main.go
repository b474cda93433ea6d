// Command fyne-baseline is the smallest Fyne program that looks like
// huecast's window: a green circle in a 640×480 window, no network. The
// window measurement (e2e's TestMeasureWindow) runs it beside huecast, to
// tell what Fyne and the GL driver cost from what huecast adds.
package main

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"
)

func main() {
	a := app.NewWithID("io.github.huecast.fyne-baseline")
	w := a.NewWindow("baseline")
	w.SetContent(canvas.NewCircle(color.NRGBA{G: 0x80, A: 0xff}))
	w.Resize(fyne.NewSize(640, 480))
	w.ShowAndRun()
}
