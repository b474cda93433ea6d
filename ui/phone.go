package ui

import (
	"net"
	"net/url"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/huecast/huecast/assets/web"
)

// qrScale is pixels per QR module in the phone dialog: a page address is a
// code of 25 to 29 modules, so 198 to 222 px with its quiet zone; a phone's
// camera reads that off a laptop screen from arm's length, and it leaves
// the dialog room in a 480 px high window.
const qrScale = 6

// pageURL returns the address of the page the room's hub serves, for
// phones: this peer's own hub while it hosts, else the hub it is joined to;
// "" while it knows neither.
func (u *UI) pageURL() string {
	addr := u.hosting
	if addr == "" && u.online {
		addr = u.hubAddr
	}
	if addr == "" {
		return ""
	}
	s, err := web.PageURL(addr)
	if err != nil {
		return ""
	}
	return s
}

// showPageLink shows the page's address under who is here, or hides
// it while there is none.
func (u *UI) showPageLink() {
	s := u.pageURL()
	if s == "" {
		if u.phoneRow.Visible() {
			u.phoneRow.Hide()
			u.sideFoot.Refresh()
		}
		return
	}
	if s != u.pageLink.Text || !u.phoneRow.Visible() {
		u.pageLink.SetText(s)
		u.pageLink.URL, _ = url.Parse(s)
		u.phoneRow.Show()
		u.sideFoot.Refresh() // the address's width changed: lay it out again
	}
}

// showPhone opens a dialog with the page's address and a QR code of it, so
// that a phone joins by pointing its camera.
func (u *UI) showPhone() {
	s := u.pageURL()
	if s == "" {
		dialog.ShowInformation("No page yet",
			"Phones join through the page the room's hub serves. Once this window hosts or joins a hub, its address and a QR code show here.", u.win)
		return
	}
	png, err := web.QRPNG(s, qrScale)
	if err != nil {
		dialog.ShowError(err, u.win)
		return
	}
	img := canvas.NewImageFromResource(fyne.NewStaticResource("page-qr.png", png))
	img.FillMode = canvas.ImageFillOriginal
	img.ScaleMode = canvas.ImageScalePixels // a blurred module is harder to read
	addr := widget.NewLabel(s)
	addr.Alignment, addr.TextStyle, addr.Selectable = fyne.TextAlignCenter, fyne.TextStyle{Bold: true}, true
	hint := widget.NewLabel("Point a phone's camera at the code, or open the address in a browser on the same network.")
	hint.Wrapping, hint.Alignment = fyne.TextWrapWord, fyne.TextAlignCenter
	items := []fyne.CanvasObject{container.NewCenter(img), addr, hint}
	if loopback(s) {
		warn := widget.NewLabel("Only this computer can open a loopback address. Join the hub by its network address for phones to reach it.")
		warn.Wrapping, warn.Importance = fyne.TextWrapWord, widget.WarningImportance
		items = append(items, warn)
	}
	content := container.NewVBox(items...)
	d := dialog.NewCustomWithoutButtons("Join from a phone", content, u.win)
	u.phoneCopy = widget.NewButtonWithIcon("Copy address", theme.ContentCopyIcon(), func() { u.app.Clipboard().SetContent(s) })
	closeButton := widget.NewButton("Close", d.Hide)
	closeButton.Importance = widget.HighImportance
	d.SetButtons([]fyne.CanvasObject{u.phoneCopy, closeButton})
	d.SetOnClosed(func() { u.phoneQR, u.phoneCopy = nil, nil })
	u.phoneQR = img
	// Wide enough for the hint to wrap into two or three lines, not ten.
	d.Resize(fyne.NewSize(max(content.MinSize().Width, 420), content.MinSize().Height))
	d.Show()
}

// loopback says whether the page at s is this machine's alone.
func loopback(s string) bool {
	p, err := url.Parse(s)
	if err != nil {
		return false
	}
	if p.Hostname() == "localhost" {
		return true
	}
	ip := net.ParseIP(p.Hostname())
	return ip != nil && ip.IsLoopback()
}
