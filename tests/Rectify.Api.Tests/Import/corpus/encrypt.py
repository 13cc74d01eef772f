"""Saves a list with an open password through LibreOffice's UNO API, as an office's "save with password" does.

Usage: python3 encrypt.py LIST.csv OUT.xls PROFILE_DIR   (Debian: libreoffice-calc-nogui, python3-uno; password "secret")
Made corpus/encrypted.xls (Excel 97-2003, RC4 encryption); LibreOffice 7.4 does not write encrypted .xlsx this way.
"""
import os, subprocess, sys, time, uno
from com.sun.star.beans import PropertyValue

src, dst, profile = sys.argv[1], sys.argv[2], sys.argv[3]
pipe = "rectify-encrypt-%d" % os.getpid()
office = subprocess.Popen(["soffice", "--headless", "--norestore", "--nologo", "-env:UserInstallation=" + uno.systemPathToFileUrl(profile),
                           "--accept=pipe,name=%s;urp;" % pipe])
local = uno.getComponentContext()
resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
ctx = None
while ctx is None:
    try:
        ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
    except Exception:
        if office.poll() is not None:
            sys.exit("soffice ended before accepting")
        time.sleep(0.1)
desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)

def prop(name, value):
    p = PropertyValue(); p.Name = name; p.Value = value; return p

doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(src)), "_blank", 0,
                                   (prop("Hidden", True), prop("FilterName", "Text - txt - csv (StarCalc)"), prop("FilterOptions", "44,34,76")))
doc.storeToURL(uno.systemPathToFileUrl(os.path.abspath(dst)), (prop("FilterName", "MS Excel 97"), prop("Password", "secret")))
doc.close(True)
try:
    desktop.terminate()
except Exception:
    pass
office.wait()
