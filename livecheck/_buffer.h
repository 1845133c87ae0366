/* The one way livecheck's C kernels take an array from Python: a C-contiguous buffer whose elements
 * have the given size and one of the given struct-module format letters (writable where asked).
 * On failure, a TypeError (or the buffer protocol's own error) is set and -1 returned. */
#ifndef LIVECHECK_BUFFER_H
#define LIVECHECK_BUFFER_H

#include <Python.h>
#include <string.h>

static int get_buffer(PyObject *obj, Py_buffer *view, int writable, const char *formats,
                      Py_ssize_t itemsize, const char *name) {
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) < 0) return -1;
    const char *format = view->format ? view->format : "B";
    if (*format == '<' || *format == '=' || *format == '@') format++;
    if (view->itemsize != itemsize || strlen(format) != 1 || !strchr(formats, *format)) {
        PyErr_Format(PyExc_TypeError, "%s: wrong element type '%s'", name, view->format);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

#endif
