"""Accessibility statement, in the form the Public Sector Bodies (Websites and Mobile
Applications) (No. 2) Accessibility Regulations 2018 expect (the GOV.UK model statement):
what is accessible, what is not yet and why, how to ask for another format or report a
problem, the enforcement procedure, and how and when the dashboard was tested."""

from dashboard import selection as fr
from dashboard import statement

fr.sidebar()
statement.draw()
